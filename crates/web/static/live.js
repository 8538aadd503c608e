// The live room page: chat, viewer count, pinned cards that follow stock and pins, the
// purchase ticker, and one-tap buying. Everything works without it except what is live.
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root) return;
  var d = root.dataset, roomId = d.room, lastId = 0, seen = {}, socket = null, retry = 500;
  var messages = document.getElementById("messages");
  // The server signs guests' viewer ids; the browser keeps the first one it was given.
  var viewerId = localStorage.getItem("fg_viewer");
  if ((!viewerId || viewerId.indexOf(".") < 0) && d.viewer) {
    viewerId = d.viewer;
    localStorage.setItem("fg_viewer", viewerId);
  }

  function text(el, value) { el.textContent = value; return el; }
  function el(tag, cls) { var e = document.createElement(tag); if (cls) e.className = cls; return e; }

  function send(obj) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(obj));
  }

  function addMessage(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    lastId = Math.max(lastId, m.id);
    var li = el("li", m.staff ? "host" : "");
    li.dataset.id = m.id;
    var who = text(el("b"), m.author + (m.staff ? " · " + d.host : ""));
    var said = text(el("span"), m.text);
    said.lang = m.lang;
    said.dir = "auto";
    li.appendChild(who);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(said);
    if (d.moderator === "1" && !m.staff) {
      [["delete", d.delete], ["mute", d.mute]].forEach(function (a) {
        var b = text(el("button", "link"), a[1]);
        b.type = "button";
        b.addEventListener("click", function () { send({ type: a[0], id: m.id }); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(b);
      });
    }
    messages.appendChild(li);
    while (messages.children.length > 100) messages.removeChild(messages.firstChild);
    messages.scrollTop = messages.scrollHeight;
  }

  function card(variant) { return document.querySelector('#pins [data-variant="' + variant + '"]'); }

  function showStock(variant, stock) {
    var c = card(variant);
    if (!c) return;
    var s = c.querySelector(".stock");
    if (stock > 0) {
      text(s, d.stock.replace("#", stock));
    } else {
      s.textContent = "";
      s.appendChild(text(el("span", "field-error"), d.soldOut));
      var f = c.querySelector("form.buy");
      if (f) f.remove();
    }
  }

  function ticker(e) {
    var c = card(e.variant_id);
    var name = c ? c.querySelector(".pin-name").textContent : "";
    var county = e.county[d.lang === "ug" ? 1 : d.lang === "en" ? 2 : 0];
    var what = e.quantity + " × " + name;
    text(document.getElementById("ticker"),
      county ? d.ticker.replace("#1", county).replace("#2", what) : d.tickerSomewhere.replace("#2", what));
  }

  function reloadCards() {
    fetch("/live/" + roomId + "/cards", { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("pins"), old = document.getElementById("pins");
      if (fresh && old) { old.replaceWith(fresh); hookBuy(); }
    });
  }

  function on(e) {
    switch (e.type) {
      case "chat": addMessage(e); break;
      case "deleted":
        var gone = messages.querySelector('[data-id="' + e.id + '"]');
        if (gone) gone.remove();
        break;
      case "viewers": text(document.getElementById("viewers"), e.count); break;
      case "stock": showStock(e.variant_id, e.stock); break;
      case "sale": ticker(e); break;
      case "pins": reloadCards(); break;
      case "status": location.reload(); break;
      case "video": if (e.on_air && !playing) { clearTimeout(waiting); attach(); } break;
      case "refused": text(document.getElementById("chat-error"), e.message); break;
      case "resync": if (socket) socket.close(); break;
    }
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
      "/live/" + roomId + "/ws?viewer=" + encodeURIComponent(viewerId || "") + (lastId ? "&after=" + lastId : "");
    socket = new WebSocket(url);
    socket.onopen = function () { retry = 500; root.dataset.connected = "1"; };
    socket.onmessage = function (m) { try { on(JSON.parse(m.data)); } catch (err) { /* ignore a bad frame */ } };
    socket.onclose = function () {
      root.dataset.connected = "";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  var form = document.getElementById("chat-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = document.getElementById("chat-text");
      if (!input.value.trim()) return;
      text(document.getElementById("chat-error"), "");
      send({ type: "chat", text: input.value });
      input.value = "";
    });
  }

  // One tap: the buy button orders at once with the buyer's defaults; a buyer without them
  // (or a signed-out viewer) goes on through the plain form.
  function hookBuy() {
    document.querySelectorAll("#pins form.buy").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (d.signedIn !== "1") return;
        ev.preventDefault();
        var button = f.querySelector("button");
        button.disabled = true;
        fetch("/api/v1/live/" + roomId + "/buy", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Idempotency-Key": f.elements.key.value },
          body: JSON.stringify({ variant_id: Number(f.elements.variant.value), quantity: 1 })
        }).then(function (r) {
          return r.json().then(function (body) { return { status: r.status, body: body }; });
        }).then(function (a) {
          button.disabled = false;
          var out = document.getElementById("buy-result");
          if (a.status === 201 || a.status === 200) {
            f.elements.key.value = f.elements.key.value.split("-")[0] + "-" + Date.now();
            if (a.body.payment && a.body.payment.pay_url) { location.href = a.body.payment.pay_url; return; }
            out.textContent = d.bought + " ";
            var link = text(el("a"), d.viewOrder);
            link.href = "/orders/" + a.body.order_id;
            out.appendChild(link);
          } else if (a.body.error && a.body.error.code === "live-no-defaults") {
            f.submit();
          } else {
            out.textContent = a.body.error ? a.body.error.message : "";
          }
        }).catch(function () { button.disabled = false; f.submit(); });
      });
    });
  }

  // Video: native HLS where the browser plays it, hls.js (served by FarmGate when installed)
  // otherwise or when asked for with ?player=hlsjs. Until the host's stream arrives the page
  // keeps asking for the playlist.
  var video = document.getElementById("player"), playing = false, waiting = null;
  function attach() {
    if (!video || playing) return;
    var src = video.dataset.src;
    fetch(src, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (playlist) {
      // Start with a few seconds in hand, not on the first second the host sent.
      if ((playlist.match(/#EXTINF/g) || []).length < 3) { waiting = setTimeout(attach, 2000); return; }
      playing = true;
      var forced = /[?&]player=hlsjs/.test(location.search);
      if (!forced && video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = src;
        video.play().catch(function () {});
        return;
      }
      var script = document.createElement("script");
      script.src = "/static/vendor/hls.js";
      script.onload = function () {
        if (!window.Hls || !window.Hls.isSupported()) return;
        var hls = new window.Hls({ lowLatencyMode: true });
        hls.loadSource(src);
        hls.attachMedia(video);
        video.dataset.player = "hls.js";
        video.play().catch(function () {});
      };
      document.head.appendChild(script);
    }).catch(function () { waiting = setTimeout(attach, 3000); });
  }
  if (video) {
    video.addEventListener("playing", function () {
      var note = document.getElementById("no-video");
      if (note) note.hidden = true;
    });
  }

  d.lang = document.documentElement.lang;
  hookBuy();
  connect();
  attach();
})();
