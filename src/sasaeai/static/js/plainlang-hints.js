/*
 * わかりやすさチェックのヒント（plainlang-hints.js）
 *
 * Any <textarea data-plainlang-hints="/api/v1/plainlang/check"> gets hints while the user
 * types: 600 ms after the last keystroke the text is sent to the check API, and the findings
 * are shown in a polite live region that the textarea points to with aria-describedby.
 * An empty attribute means that endpoint. The municipality's glossary is used when the
 * textarea has data-plainlang-municipality="142042" or the page has
 * <meta name="sasaeai-municipality" content="142042"> (every staff page does).
 *
 * The hints never block typing or submitting; any failure (network, rate limit) only shows
 * a short note. Without JavaScript nothing is added and the form works as before.
 * Labels come from <script type="application/json" id="plainlang-labels"> when present.
 */
(function () {
  "use strict";

  var DELAY_MS = 600;
  var DEFAULT_ENDPOINT = "/api/v1/plainlang/check";

  // Staff pages name the signed-in user's municipality, so hints use its glossary.
  function pageMunicipality() {
    var meta = document.querySelector('meta[name="sasaeai-municipality"]');
    return meta ? meta.getAttribute("content") : null;
  }
  var MAX_CHARS = 100000;
  var MAX_SHOWN = 20;

  var DEFAULT_LABELS = {
    rules: {},
    severities: { error: "エラー", warning: "警告", info: "参考" },
    messages: {
      none: "指摘はありません。",
      count: "指摘 {count} 件",
      more: "ほか {count} 件",
      readability: "読みやすさ: {level}（{score}）",
      unavailable: "いまはヒントを表示できません。",
      too_long: "文章が長いため、ヒントを表示しません。",
      suggestion: "言い換えの案: {suggestion}",
      place: "{line}行{column}字目"
    }
  };

  function readLabels() {
    var node = document.getElementById("plainlang-labels");
    if (!node) {
      return DEFAULT_LABELS;
    }
    try {
      var labels = JSON.parse(node.textContent);
      return {
        rules: labels.rules || DEFAULT_LABELS.rules,
        severities: labels.severities || DEFAULT_LABELS.severities,
        messages: labels.messages || DEFAULT_LABELS.messages
      };
    } catch (error) {
      return DEFAULT_LABELS;
    }
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var part = parts[i].trim();
      if (part.indexOf(name + "=") === 0) {
        return decodeURIComponent(part.slice(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken(textarea) {
    var scope = textarea.form || document;
    var input = scope.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : readCookie("csrftoken");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function createRegion(textarea) {
    var region = element("div", "plainlang-hints");
    region.id = (textarea.id || "plainlang-text") + "-hints";
    region.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", region);
    var describedBy = (textarea.getAttribute("aria-describedby") || "").split(/\s+/);
    if (describedBy.indexOf(region.id) === -1) {
      describedBy.push(region.id);
    }
    textarea.setAttribute("aria-describedby", describedBy.join(" ").trim());
    return region;
  }

  function render(region, body, labels) {
    var findings = body.findings || [];
    var fragment = document.createDocumentFragment();
    var summary = findings.length
      ? format(labels.messages.count, { count: findings.length })
      : labels.messages.none;
    if (body.readability) {
      summary += " " + format(labels.messages.readability, body.readability);
    }
    fragment.appendChild(element("p", "plainlang-hints-summary", summary));
    if (findings.length) {
      var list = element("ul", "plainlang-hints-list");
      findings.slice(0, MAX_SHOWN).forEach(function (finding) {
        var item = element("li", "severity-" + finding.severity);
        var place = format(labels.messages.place, finding);
        var severity = labels.severities[finding.severity] || finding.severity;
        var rule = labels.rules[finding.rule] || finding.rule;
        item.appendChild(element("span", "severity-tag severity-tag-" + finding.severity, severity));
        item.appendChild(document.createTextNode(" " + place + "［" + rule + "］" + finding.message));
        if (finding.suggestion !== null && finding.suggestion !== undefined) {
          item.appendChild(
            element("span", "plainlang-hints-suggestion",
              " " + format(labels.messages.suggestion, { suggestion: finding.suggestion }))
          );
        }
        list.appendChild(item);
      });
      if (findings.length > MAX_SHOWN) {
        list.appendChild(element("li", "", format(labels.messages.more, {
          count: findings.length - MAX_SHOWN
        })));
      }
      fragment.appendChild(list);
    }
    region.replaceChildren(fragment);
  }

  function showNote(region, text) {
    region.replaceChildren(element("p", "plainlang-hints-note", text));
  }

  function attach(textarea, labels) {
    var endpoint = textarea.getAttribute("data-plainlang-hints");
    if (endpoint === null || textarea.dataset.plainlangHintsReady) {
      return;
    }
    endpoint = endpoint || DEFAULT_ENDPOINT;
    textarea.dataset.plainlangHintsReady = "true";
    var municipality =
      textarea.getAttribute("data-plainlang-municipality") || pageMunicipality();
    var region = createRegion(textarea);
    var timer = null;
    var controller = null;
    var lastSent = null;
    var lastShown = null;

    function send() {
      var text = textarea.value;
      if (text === lastSent) {
        return;
      }
      lastSent = text;
      if (controller) {
        controller.abort();
      }
      if (!text.trim()) {
        region.replaceChildren();
        lastShown = null;
        return;
      }
      if (text.length > MAX_CHARS) {
        showNote(region, labels.messages.too_long);
        return;
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var payload = { text: text };
      if (municipality) {
        payload.municipality = municipality;
      }
      fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(textarea)
        },
        body: JSON.stringify(payload),
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          var signature = JSON.stringify(body);
          if (signature !== lastShown) {  // do not announce the same hints twice
            lastShown = signature;
            render(region, body, labels);
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          lastSent = null;
          lastShown = null;
          showNote(region, labels.messages.unavailable);
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY_MS);
    });
    if (textarea.value.trim()) {
      timer = window.setTimeout(send, DELAY_MS);
    }
  }

  function init() {
    if (typeof window.fetch !== "function") {
      return;
    }
    var labels = readLabels();
    var textareas = document.querySelectorAll("textarea[data-plainlang-hints]");
    for (var i = 0; i < textareas.length; i += 1) {
      attach(textareas[i], labels);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
