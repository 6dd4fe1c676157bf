// comity: the engagement form. "Add a participant" appends a row copied from the form's
// <template id="participant-row">, numbering its fields after the rows already there.
(function () {
  "use strict";

  function addRow() {
    var rows = document.getElementById("participant-rows");
    var n = rows.children.length;
    var html = document.getElementById("participant-row").innerHTML
      .replace(/__N__/g, String(n)).replace(/__L__/g, String(n + 1));
    rows.insertAdjacentHTML("beforeend", html);
    rows.lastElementChild.querySelector("input").focus();
  }

  var button = document.getElementById("add-participant");
  if (button) { button.addEventListener("click", addRow); }
})();
