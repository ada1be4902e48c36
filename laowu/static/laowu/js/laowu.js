// Small behaviours that need no framework: the phone menu and region pickers.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) { document.getElementById("sidebar").classList.toggle("open"); return; }
  var option = event.target.closest(".options li[data-value]");
  if (option) {
    var picker = option.closest("[data-region-picker]");
    if (picker) {
      var hidden = picker.querySelector("input[type=hidden]");
      hidden.value = option.dataset.value;
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      picker.querySelector("input[type=search]").value = option.dataset.label;
      picker.querySelector(".picker-results").innerHTML = "";
    }
  }
});
