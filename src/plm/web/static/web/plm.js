/* Presenter License Manager: the little the pages do with JavaScript (everything also works
   without it). "All on this page" checks every box of its group. */
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.classList || !box.classList.contains("select-page")) return;
  var form = box.form;
  if (!form) return;
  var name = box.getAttribute("data-select");
  form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (other) {
    other.checked = box.checked;
  });
});
