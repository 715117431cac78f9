// The traffic page: byte counts made readable and the tables sortable by
// any column (click a header; click again to reverse). The cells keep the
// exact figure in data-value, which sorting reads; "#sort=<column>:<asc|desc>"
// in the address sorts every table on load (bookmarks, tests).
(function () {
  'use strict';
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  function bytes(n) {
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(2)) + ' ' + units[i];
  }
  document.querySelectorAll('td.bytes').forEach(function (td) {
    var v = Number(td.getAttribute('data-value'));
    if (isFinite(v)) { td.textContent = bytes(v); td.title = td.getAttribute('data-value') + ' bytes'; }
  });

  function key(tr, col, numeric) {
    var td = tr.querySelector('td[data-field="' + col + '"]');
    var v = td ? td.getAttribute('data-value') : '';
    if (!numeric) return v.toLowerCase();
    return v === '' || v === null ? -Infinity : Number(v);
  }

  function sortTable(table, col, dir) {
    var th = table.querySelector('th[data-col="' + col + '"]');
    if (!th) return;
    var numeric = th.getAttribute('data-sort') === 'num';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'desc' ? -1 : 1;
    rows.sort(function (a, b) {
      var x = key(a, col, numeric), y = key(b, col, numeric);
      if (x < y) return -sign;
      if (x > y) return sign;
      return 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll('th[data-col]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 'desc' ? 'descending' : 'ascending');
    table.setAttribute('data-sorted', col + ':' + dir);
  }

  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th[data-col]').forEach(function (th) {
      th.tabIndex = 0;
      var go = function () {
        var col = th.getAttribute('data-col');
        var cur = table.getAttribute('data-sorted') || '';
        // Numbers sort largest first on the first click, names A to Z.
        var first = th.getAttribute('data-sort') === 'num' ? 'desc' : 'asc';
        var dir = cur === col + ':' + first ? (first === 'desc' ? 'asc' : 'desc') : first;
        sortTable(table, col, dir);
      };
      th.addEventListener('click', go);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
    });
  });

  var m = /^#sort=([A-Za-z0-9_.]+):(asc|desc)$/.exec(location.hash);
  if (m) {
    document.querySelectorAll('table.sortable').forEach(function (t) { sortTable(t, m[1], m[2]); });
  }
})();
