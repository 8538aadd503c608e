// The trainer's check-in screen: a fresh signed code every minute, without reloading the page
// (a reload would lose the trainer's place and flash the screen the room is scanning).
(function () {
  'use strict';
  var figure = document.getElementById('check-in-qr');
  if (!figure) return;
  var every = Number(figure.getAttribute('data-refresh') || 60) * 1000;
  function renew() {
    fetch(location.href, { credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, 'text/html');
        ['check-in-qr', 'present', 'check-in-url'].forEach(function (id) {
          var fresh = next.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
      })
      .catch(function () { /* offline for a moment: keep the code, try again */ })
      .then(function () { setTimeout(renew, every); });
  }
  setTimeout(renew, every);
})();
