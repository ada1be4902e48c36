"""Code lists of the organised export process (stored codes, shown names)."""

from __future__ import annotations

from django.db import models


class ApplicationStatus(models.TextChoices):
    REGISTERED = "registered", "已报名"
    SCREENED = "screened", "初审通过"
    HEALTH_CHECKED = "health_checked", "体检合格"
    TRAINED = "trained", "培训合格"
    INTERVIEWED = "interviewed", "面试通过"
    CONTRACTED = "contracted", "已签合同"
    DOCUMENTS_READY = "documents_ready", "证件办齐"
    DEPARTED = "departed", "已出发"
    ARRIVED = "arrived", "已到岗"
    ON_JOB = "on_job", "在岗"
    NOT_ARRIVED = "not_arrived", "未到岗"
    WITHDRAWN = "withdrawn", "本人退出"
    REJECTED = "rejected", "未通过"


FINAL_STATUSES = (
    ApplicationStatus.ON_JOB,
    ApplicationStatus.NOT_ARRIVED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.REJECTED,
)


class BatchStatus(models.TextChoices):
    PLANNED = "planned", "组织中"
    DEPARTED = "departed", "已出发"
    CLOSED = "closed", "已到达"


class Channel(models.TextChoices):
    """How a stint came about (输出渠道)."""

    ORGANISED = "organised", "有组织输出"
    SELF_ARRANGED = "self_arranged", "自谋输出"
    LOCAL = "local", "就地转移"


class DestinationScope(models.TextChoices):
    """Where the work is, relative to the person's home (derived from region codes only)."""

    OUT_OF_PROVINCE = "out_province", "省外"
    OUT_OF_CITY = "out_city", "市外省内"
    OUT_OF_COUNTY = "out_county", "县外市内"
    OUT_OF_TOWNSHIP = "out_township", "乡外县内"
    IN_TOWNSHIP = "in_township", "乡内"


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class FollowUpKind(models.TextChoices):
    NOT_ARRIVED = "not_arrived", "未到岗"
    LOST_CONTACT = "lost_contact", "失去联系"
    RETURNED = "returned", "返乡回流"
    DISPUTE = "dispute", "劳资纠纷"
    ARREARS = "arrears", "欠薪"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "跟踪中"
    CLOSED = "closed", "已办结"


class WageReporter(models.TextChoices):
    AGENCY = "agency", "中介机构"
    STATION = "station", "劳务工作站"
    WORKER = "worker", "本人"
