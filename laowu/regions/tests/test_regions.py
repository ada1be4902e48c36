from __future__ import annotations

import pytest

from laowu.regions.models import Region, RegionLevel
from laowu.regions.services import villages_load

pytestmark = pytest.mark.django_db


def test_national_tree_is_loaded_with_baoshan_and_shahe():
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 31
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() > 40000
    baoshan_counties = set(Region.objects.filter(parent_id="5305").values_list("code", flat=True))
    assert {"530502", "530521", "530523", "530524", "530581"} <= baoshan_counties
    shahe = Region.objects.get(code="620723101")
    assert shahe.name == "沙河镇" and shahe.full_name == "甘肃省张掖市临泽县沙河镇"
    assert shahe.pinyin_initials == "shz"


def test_village_load_is_all_or_nothing_and_names_the_row():
    rows = [["区划代码", "名称"], ["620723101201", "五三村"], ["620723101202", ""], ["62072310120", "短码村"]]
    result = villages_load(rows=rows)
    assert [(e.row, e.column) for e in result.errors] == [(3, "名称"), (4, "区划代码")]
    assert not Region.objects.filter(code="620723101201").exists()


def test_village_load_refuses_unknown_parent_and_duplicates():
    rows = [["代码", "村名"], ["999999999201", "无主村"], ["620723101201", "甲"], ["620723101201", "乙"]]
    errors = villages_load(rows=rows).errors
    assert any("上级区划" in e.message for e in errors)
    assert any("重复" in e.message and e.row == 4 for e in errors)


def test_village_load_reads_fullwidth_digits_and_flags_and_groups():
    rows = [
        ["区划代码", "名称", "贫困村", "挂钩扶贫村", "挂钩单位"],
        ["６２０７２３１０１２０１", "五三村", "是", "1", "县供销社"],
        ["620723101201001", "一组", "", "", ""],
    ]
    result = villages_load(rows=rows)
    assert not result.errors
    village = Region.objects.get(code="620723101201")
    assert village.is_poor_village and village.is_paired_aid_village and village.paired_unit == "县供销社"
    assert village.level == RegionLevel.VILLAGE
    group = Region.objects.get(code="620723101201001")
    assert group.level == RegionLevel.GROUP and group.parent_id == village.code


def test_village_load_refuses_rows_outside_scope():
    rows = [["区划代码", "名称"], ["530502106201", "芒岗村"]]
    result = villages_load(rows=rows, scope="620723101")
    assert result.errors and "管辖范围" in result.errors[0].message


def test_dry_run_writes_nothing():
    rows = [["区划代码", "名称"], ["620723101201", "五三村"]]
    result = villages_load(rows=rows, dry_run=True)
    assert not result.errors and result.created == 1
    assert not Region.objects.filter(code="620723101201").exists()
