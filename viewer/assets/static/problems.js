// rtmon live page: the current problems (collectd notifications, see
// docs/alerts.md) at the top of the page. Built with DOM calls and
// textContent only: host names, instance names and messages come from
// notifications and never become markup.
(function () {
  'use strict';
  function ago(s) {
    if (s < 0) s = 0;
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' days';
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // render fills #problems from a /json/live snapshot; called by live.js.
  window.rtmonProblems = function (s) {
    var box = document.getElementById('problems');
    if (!box) return;
    var list = s.problems || [];
    var body = document.body;
    body.dataset.problems = String(list.length);
    if (!list.length && !s.problems_error && !s.problems_skipped) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    var frag = document.createDocumentFragment();
    frag.appendChild(el('h2', null, list.length === 1 ? '1 problem' : list.length + ' problems'));
    var ul = el('ul');
    list.forEach(function (p) {
      var li = el('li', 'problem ' + (p.severity === 'FAILURE' ? 'failure' : 'warning'));
      li.dataset.host = p.host;
      li.dataset.instance = p.plugin_instance || '';
      li.dataset.kind = p.type_instance || '';
      li.appendChild(el('span', 'severity', p.severity));
      var where = p.host + ' · ' + p.plugin + (p.plugin_instance ? ' ' + p.plugin_instance : '') +
        (p.type_instance ? ' · ' + p.type_instance : '');
      li.appendChild(el('span', 'where', where));
      li.appendChild(el('span', 'message', p.message));
      var since = new Date(p.since * 1000);
      var t = el('time', 'since', 'since ' + since.toLocaleString() + ' (' + ago(s.time - p.since) + ')');
      t.dateTime = since.toISOString();
      li.appendChild(t);
      ul.appendChild(li);
    });
    frag.appendChild(ul);
    if (s.problems_skipped) frag.appendChild(el('p', 'why', s.problems_skipped + ' problem files skipped (over a bound or malformed)'));
    if (s.problems_error) frag.appendChild(el('p', 'why', 'problems unreadable: ' + s.problems_error));
    box.replaceChildren(frag);
    box.hidden = false;
  };
})();
