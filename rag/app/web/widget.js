/* newsqa widget: <script src="https://HOST/widget.js" data-title="问报纸" async></script>
 * A floating Q&A box in a shadow DOM (its styles cannot leak in or out). It talks only to
 * the server it was loaded from (POST /api/ask) and links each source back to that server.
 * Everything the server returns is inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[src*='widget.js']");
    script = all[all.length - 1];
  }
  if (!script || script.dataset.newsqaLoaded) return;
  script.dataset.newsqaLoaded = "1";
  var base = new URL(script.src, location.href).origin;
  var title = script.dataset.title || "问报纸";
  var placeholder = script.dataset.placeholder || "输入问题，例如：景县3周岁以上人群已接种多少人？";

  var host = document.createElement("div");
  host.id = "newsqa-widget";
  // A column aligned right: the round button stays where it is when the panel opens above it.
  host.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif}" +
    ".fab{background:#b71c1c;color:#fff;border:0;border-radius:24px;padding:12px 18px;font-size:15px;cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}.fab:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #ffb300;outline-offset:2px}" +
    ".panel{display:none;flex-direction:column;width:min(380px,calc(100vw - 32px));max-height:min(560px,calc(100vh - 96px));" +
    "background:#fff;color:#222;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.3);overflow:hidden;margin-bottom:8px}" +
    ".panel.open{display:flex}.head{display:flex;justify-content:space-between;align-items:center;background:#b71c1c;color:#fff;padding:10px 14px}" +
    ".head h2{margin:0;font-size:16px}.close{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}" +
    ".log{flex:1;overflow-y:auto;padding:10px 14px;font-size:14px;line-height:1.6}" +
    ".q{font-weight:600;margin:10px 0 4px}.a{margin:0 0 6px;white-space:pre-wrap}.src{margin:0 0 10px;padding:0;list-style:none;font-size:12px}" +
    ".src li{margin:2px 0}.src a{color:#0d47a1}.err{color:#b71c1c}" +
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #eee}input{flex:1;padding:8px;border:1px solid #bbb;border-radius:6px;font-size:14px}" +
    "form button{background:#b71c1c;color:#fff;border:0;border-radius:6px;padding:8px 12px;cursor:pointer}" +
    "</style>" +
    '<div class="panel" role="dialog" aria-modal="false" aria-labelledby="nqa-title">' +
    '<div class="head"><h2 id="nqa-title"></h2><button class="close" type="button" aria-label="关闭 Close">×</button></div>' +
    '<div class="log" aria-live="polite"></div>' +
    '<form><label style="position:absolute;left:-9999px" for="nqa-q">问题</label>' +
    '<input id="nqa-q" name="q" autocomplete="off" maxlength="500"><button type="submit">提问</button></form></div>' +
    '<button class="fab" type="button" aria-expanded="false"></button>';

  var panel = root.querySelector(".panel");
  var fab = root.querySelector(".fab");
  var log = root.querySelector(".log");
  var form = root.querySelector("form");
  var input = root.querySelector("input");
  root.querySelector("#nqa-title").textContent = title;
  fab.textContent = title;
  input.placeholder = placeholder;
  var history = [];

  function setOpen(open) {
    panel.classList.toggle("open", open);
    fab.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) input.focus(); else fab.focus();
  }
  fab.addEventListener("click", function () { setOpen(!panel.classList.contains("open")); });
  root.querySelector(".close").addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function show(answer) {
    log.appendChild(el("p", "a", answer.answer));
    if (answer.citations && answer.citations.length) {
      var list = el("ol", "src");
      list.setAttribute("aria-label", answer.answerable ? "来源" : "最接近的段落");
      answer.citations.forEach(function (c) {
        var li = el("li");
        var a = el("a", null, "[" + c.n + "] " + c.newspaper + " " + c.date + " " + c.page + " 《" + c.article + "》 第" + c.paragraph + "段");
        var href = base + "/source/" + c.chunk_id.split("/").map(encodeURIComponent).join("/");
        if (c.span) href += "?start=" + c.span.start + "&end=" + c.span.end;
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener";
        li.appendChild(a);
        list.appendChild(li);
      });
      log.appendChild(list);
    }
    log.scrollTop = log.scrollHeight;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q) return;
    input.value = "";
    log.appendChild(el("p", "q", q));
    var waiting = el("p", "a", "…");
    log.appendChild(waiting);
    fetch(base + "/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: q, history: history.slice(-4) })
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      log.removeChild(waiting);
      if (!res.ok) { log.appendChild(el("p", "err", res.data.error || "出错了")); return; }
      history.push({ question: q, answer: res.data.short_answer || "" });
      show(res.data);
    }).catch(function () {
      log.removeChild(waiting);
      log.appendChild(el("p", "err", "无法连接问答服务 / Cannot reach the Q&A service."));
    });
  });

  (document.body || document.documentElement).appendChild(host);
})();
