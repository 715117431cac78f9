// rtmon graph page: click to zoom in around a time, drag to zoom to a
// span. Pixels map to times through the geometry librrd reported
// (graph_left, graph_width, graph_start, graph_end), kept in data-*.
'use strict';
(function () {
  var img = document.getElementById('graph');
  if (!img) return;
  var sel = document.getElementById('selection');
  var d = img.dataset;
  var left = +d.left, width = +d.width, start = +d.start, end = +d.end;

  // imageX converts a mouse position to image pixels (the image may be
  // shown scaled on a narrow screen).
  function imageX(ev) {
    var r = img.getBoundingClientRect();
    return (ev.clientX - r.left) * (img.naturalWidth / r.width);
  }
  function timeAt(x) {
    var t = start + (x - left) * (end - start) / width;
    return Math.round(Math.max(start, Math.min(end, t)));
  }
  function go(s, e) {
    if (e - s < 60) { var mid = (s + e) / 2; s = Math.round(mid - 30); e = s + 60; }
    location.search = '?start=' + s + '&end=' + e + '&w=' + d.w + '&h=' + d.h + '&theme=' + encodeURIComponent(d.theme);
  }
  var downX = null;
  img.addEventListener('mousedown', function (ev) { ev.preventDefault(); downX = imageX(ev); });
  img.addEventListener('mousemove', function (ev) {
    if (downX == null) return;
    var r = img.getBoundingClientRect(), k = r.width / img.naturalWidth;
    var a = Math.min(downX, imageX(ev)) * k, b = Math.max(downX, imageX(ev)) * k;
    sel.hidden = false;
    sel.style.left = a + 'px';
    sel.style.width = (b - a) + 'px';
  });
  document.addEventListener('mouseup', function (ev) {
    if (downX == null) return;
    var x = imageX(ev), x0 = downX;
    downX = null;
    sel.hidden = true;
    if (x < left && x0 < left) return;
    if (Math.abs(x - x0) > 6) {
      go(timeAt(Math.min(x, x0)), timeAt(Math.max(x, x0)));
    } else {
      var t = timeAt(x), half = (end - start) / 4;
      go(Math.round(t - half), Math.round(t + half));
    }
  });
})();
