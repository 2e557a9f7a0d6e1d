// The password rules of e-mail accounts, evaluated while the person types.
// The same rules as app/services/accounts/password_policy.py (the server checks them again);
// tests/services/accounts/test_password_policy.py runs both on one table of cases.
(function () {
  var MIN_LENGTH = 10;
  var MIN_PERSONAL_PART = 3;
  var SEPARATORS = /[^\p{L}\p{N}]|_/u;

  function personalParts(email, name) {
    var local = (email || "").trim().split("@")[0].toLowerCase();
    var pieces = [local].concat(local.split(SEPARATORS), (name || "").trim().toLowerCase().split(SEPARATORS));
    var seen = {};
    return pieces.filter(function (piece) {
      if (Array.from(piece).length < MIN_PERSONAL_PART || seen[piece]) return false;
      seen[piece] = true;
      return true;
    });
  }

  function ruleResults(password, email, name) {
    var lowered = password.toLowerCase();
    return {
      length: Array.from(password).length >= MIN_LENGTH,
      lower: /\p{Ll}/u.test(password),
      upper: /\p{Lu}/u.test(password),
      digit: /\p{Nd}/u.test(password),
      special: /[\p{P}\p{S}]/u.test(password),
      not_you: password.length > 0 && !personalParts(email, name).some(function (part) {
        return lowered.indexOf(part) >= 0;
      }),
    };
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { ruleResults: ruleResults, personalParts: personalParts };
    return;
  }

  // A form with data-password-rules holds #password, optionally #name, and the e-mail in
  // data-email; each rule's line has data-rule="<rule>" and gets data-met="true|false".
  function refresh(form) {
    var password = form.querySelector("#password");
    if (!password) return;
    var nameInput = form.querySelector("#name");
    var results = ruleResults(password.value, form.getAttribute("data-email") || "",
                              nameInput ? nameInput.value : "");
    form.querySelectorAll("[data-rule]").forEach(function (line) {
      line.setAttribute("data-met", results[line.getAttribute("data-rule")] ? "true" : "false");
    });
  }

  if (!window.__passwordRulesListening) {
    window.__passwordRulesListening = true;
    document.addEventListener("input", function (event) {
      var form = event.target && event.target.closest && event.target.closest("[data-password-rules]");
      if (form) refresh(form);
    });
  }
})();
