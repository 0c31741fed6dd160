// keyaccount report: draw the charts, sort tables, expand long tables. No network, no eval.
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var config = JSON.parse(document.getElementById("plotly-config").textContent);
  var pending = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var figure = figures[el.dataset.chart];
    if (!figure) { return; }
    pending.push(Plotly.newPlot(el, figure.data, figure.layout || {}, config));
  });
  Promise.all(pending).then(function () {
    document.body.dataset.chartsReady = String(pending.length);
  });

  // Number columns: right-align every cell like its header.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.classList.contains("num")) { return; }
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.cells[index].classList.add("num");
      });
    });
  });

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var text = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
    if (!numeric) { return text; }
    var n = parseFloat(text);
    return isNaN(n) ? -Infinity : n;
  }
  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table");
      var body = table.tBodies[0];
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var numeric = th.classList.contains("num");
      var ascending = !th.classList.contains("sorted-asc");
      th.parentNode.querySelectorAll("th").forEach(function (h) {
        h.classList.remove("sorted-asc", "sorted-desc");
      });
      th.classList.add(ascending ? "sorted-asc" : "sorted-desc");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
        var order = numeric ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      var limit = body.querySelectorAll("tr:not(.more)").length;
      rows.forEach(function (row, i) {
        row.classList.toggle("more", i >= limit);
        body.appendChild(row);
      });
    });
  });
  document.querySelectorAll("button.show-all").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = document.getElementById(button.dataset.target);
      var expanded = table.classList.toggle("expanded");
      button.textContent = expanded ? button.dataset.less : button.dataset.more;
    });
  });
})();
