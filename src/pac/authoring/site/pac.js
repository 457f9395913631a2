/* pac catalog site: the index filter and the request form. Plain script, no build step,
   works from file:// (data is embedded in each page, nothing is fetched). */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* ---------------------------------------------------------------- the index */

  /* The requester given in the address (?email=…&name=…&team=…) follows the developer
     from the index to the offering's form. */
  function carried(href) {
    var query = window.location.search;
    return query ? href + query : href;
  }

  function index(catalog) {
    var list = document.getElementById("cards");
    var text = document.getElementById("filter-text");
    var category = document.getElementById("filter-category");
    var owner = document.getElementById("filter-owner");
    var count = document.getElementById("count");

    function matches(entry, words) {
      var hay = [entry.id, entry.name, entry.description, entry.category, entry.owner.team,
        (entry.tags || []).join(" ")].join(" ").toLowerCase();
      return words.every(function (word) { return hay.indexOf(word) >= 0; });
    }

    var drawn = null;

    function draw() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = catalog.filter(function (entry) {
        return (!category.value || entry.category === category.value) &&
          (!owner.value || entry.owner.team === owner.value) && matches(entry, words);
      });
      // Leaving the search box fires "change": redrawing the same cards then would
      // swallow the click on one of them that made the box lose focus.
      var key = shown.map(function (entry) { return entry.id; }).join(" ");
      if (key === drawn) return;
      drawn = key;
      list.innerHTML = "";
      shown.forEach(function (entry) {
        // A bundle's fulfilment is "bundle" too: one badge says it, not two.
        var bundle = entry.kind === "CatalogBundle";
        var badges = el("div", {}, [
          el("span", { className: "badge", text: bundle ? "bundle" : entry.category }),
          bundle ? null : el("span", { className: "badge " + entry.fulfilment, text: entry.fulfilment }),
          entry.deprecated ? el("span", { className: "badge deprecated", text: "deprecated" }) : null,
        ]);
        list.appendChild(el("div", { className: "card", "data-id": entry.id }, [
          el("h3", {}, [el("a", { href: carried("items/" + entry.id + ".html"), text: entry.name })]),
          el("div", { className: "muted", text: entry.id + " · v" + entry.version + " · " + entry.owner.team }),
          badges,
          el("p", { text: entry.description }),
        ]));
      });
      if (!shown.length) list.appendChild(el("div", { className: "empty", text: "No offering matches." }));
      count.textContent = shown.length + " of " + catalog.length;
    }

    [text, category, owner].forEach(function (input) {
      input.addEventListener("input", draw);
      input.addEventListener("change", draw);
    });
    draw();
  }

  /* ----------------------------------------------------------- the request form */

  var KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
  var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  var SECRET = /^[A-Z][A-Z0-9_]*$/;
  var DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

  function realDate(text) {
    if (!DATE.test(text)) return false;
    var parts = text.split("-").map(Number);
    var date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return date.getUTCFullYear() === parts[0] && date.getUTCMonth() === parts[1] - 1 && date.getUTCDate() === parts[2];
  }

  /* Multiples compared as the decimals people write, exactly as pac decides it (so the
     page never accepts what the pull request's check then rejects): 0.3 is three steps of
     0.1, although 0.3 / 0.1 is 2.9999999999999996 in binary floating point. String(n) is
     the shortest decimal naming n, as Python's repr is. */
  function decimal(number) {
    var match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(number));
    var fraction = match[3] || "";
    return { digits: BigInt(match[1] + match[2] + fraction), exponent: Number(match[4] || 0) - fraction.length };
  }
  function multipleOf(value, step) {
    var a = decimal(value), b = decimal(step);
    var low = Math.min(a.exponent, b.exponent);
    var ten = BigInt(10);
    var divisor = b.digits * ten ** BigInt(b.exponent - low);
    return divisor !== BigInt(0) && (a.digits * ten ** BigInt(a.exponent - low)) % divisor === BigInt(0);
  }

  /* Lengths in characters (code points), as pac counts them, not UTF-16 units. */
  function length(text) {
    return Array.from(text).length;
  }

  /* A pattern JavaScript cannot compile (Python-only syntax) is left to pac's check. */
  function matches(pattern, text) {
    var regex;
    try {
      regex = new RegExp(pattern, "u");
    } catch (error) {
      return true;
    }
    return regex.test(text);
  }

  /* The checks of the form's JSON Schema, the same schema pac validates requests with, in
     the order pac makes them: the first keyword the value fails, with the value it failed. */
  function failed(schema, value, required) {
    var empty = value === undefined || value === "" || (Array.isArray(value) && !value.length);
    if (empty) return required ? { key: "required" } : null;  // left out: pac applies the default
    if (schema.properties && schema.properties.secretRef) {
      return SECRET.test(value.secretRef) ? null : { key: "secret", value: value.secretRef };
    }
    if (schema.type === "number") {
      if (typeof value !== "number" || !isFinite(value)) return { key: "type" };
      if (schema.minimum !== undefined && value < schema.minimum) return { key: "minimum", value: value };
      if (schema.maximum !== undefined && value > schema.maximum) return { key: "maximum", value: value };
      if (schema.multipleOf !== undefined && !multipleOf(value, schema.multipleOf)) return { key: "multipleOf", value: value };
      return null;
    }
    if (schema.type === "array") {
      if (schema.minItems !== undefined && value.length < schema.minItems) return { key: "minItems" };
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return { key: "maxItems" };
      return null;
    }
    if (schema.enum && schema.enum.map(String).indexOf(String(value)) < 0) return { key: "enum", value: value };
    if (typeof value !== "string") return null;
    if (schema.pattern && !matches(schema.pattern, value)) return { key: "pattern", value: value };
    if (schema.format === "date" && !realDate(value)) return { key: "format", value: value };
    if (schema.minLength !== undefined && length(value) < schema.minLength) return { key: "minLength", value: value };
    if (schema.maxLength !== undefined && length(value) > schema.maxLength) return { key: "maxLength", value: value };
    if (schema.formatMinimum && value < schema.formatMinimum) return { key: "formatMinimum", value: value };
    if (schema.formatMaximum && value > schema.formatMaximum) return { key: "formatMaximum", value: value };
    return null;
  }

  /* A value quoted as pac's messages quote it (Python's repr): 'text', 48, 2.5. */
  function shown(value) {
    if (typeof value === "boolean") return value ? "True" : "False";
    if (typeof value === "number") return String(value);
    var chars = Array.from(String(value));
    var more = "";
    if (chars.length > 80) {  /* as pac.forms.messages.shown: the start and the length */
      more = "\u2026 (" + chars.length.toLocaleString("en-US") + " characters)";
      chars = chars.slice(0, 60);
    }
    var text = chars.join("");
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var out = "";
    chars.forEach(function (ch) {
      var code = ch.codePointAt(0);
      if (ch === "\\" || ch === quote) out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) {
        var hex = code.toString(16);
        if (code < 0x100) out += "\\x" + ("0" + hex).slice(-2);
        else if (code < 0x10000) out += "\\u" + ("000" + hex).slice(-4);
        else out += "\\U" + ("0000000" + hex).slice(-8);
      } else out += ch;
    });
    return quote + out + quote + more;
  }

  /* The message pac gives for this check: its template (from the export, the words pac
     validate uses) with the value filled in. The CLI's "add `field:`" advice is about
     the YAML file, so a missing field shows the message alone. */
  function message(words, failure) {
    var entry = words && words[failure.key];
    if (!entry) return "";
    var fill = function (text) { return text.split("{value}").join(shown(failure.value)); };
    var text = fill(entry.message);
    text = text.charAt(0).toUpperCase() + text.slice(1) + ".";
    if (entry.how && failure.key !== "required") text += " " + fill(entry.how);
    return text;
  }

  function problem(f, value) {
    var failure = failed(f.schema, value, f.required);
    return failure ? message(f.words, failure) : "";
  }

  function control(id, schema, ui, fieldDefault) {
    var widget = (ui && ui["ui:widget"]) || "";
    var input;
    if (schema.properties && schema.properties.secretRef) {
      input = el("input", { type: "text", id: id, name: id, placeholder: "NAME_OF_THE_CI_SECRET", autocomplete: "off" });
      input.pacRead = function () { return input.value.trim() ? { secretRef: input.value.trim() } : undefined; };
      return input;
    }
    if (schema.type === "boolean") {
      input = el("input", { type: "checkbox", id: id, name: id });
      input.checked = fieldDefault === true;
      input.pacRead = function () { return input.checked; };
      return input;
    }
    if (schema.type === "array" && schema.items && schema.items.enum) {
      var box = el("div", { className: "choices", id: id });
      var chosen = fieldDefault || [];
      schema.items.enum.forEach(function (option) {
        var check = el("input", { type: "checkbox", value: String(option), name: id });
        check.checked = chosen.indexOf(option) >= 0;
        box.appendChild(el("label", {}, [check, document.createTextNode(" " + option)]));
      });
      box.pacRead = function () {
        return Array.prototype.slice.call(box.querySelectorAll("input:checked")).map(function (c) { return c.value; });
      };
      return box;
    }
    if (schema.enum) {
      input = el("select", { id: id, name: id });
      input.appendChild(el("option", { value: "", text: "— choose —" }));
      schema.enum.forEach(function (option) {
        var item = el("option", { value: String(option), text: String(option) });
        if (fieldDefault !== undefined && String(fieldDefault) === String(option)) item.selected = true;
        input.appendChild(item);
      });
      input.pacRead = function () {
        if (!input.value) return undefined;
        var match = schema.enum.filter(function (o) { return String(o) === input.value; })[0];
        return match;
      };
      return input;
    }
    if (widget === "textarea") {
      input = el("textarea", { id: id, name: id });
    } else {
      var type = schema.type === "number" ? "number" : widget === "date" ? "date" : widget === "email" ? "email" : "text";
      input = el("input", { type: type, id: id, name: id });
      if (schema.type === "number" && schema.multipleOf) input.setAttribute("step", String(schema.multipleOf));
      // The date picker offers only days in range. (Numbers get no min: the spinner counts its
      // steps from min, which would step off the multiples pac requires.)
      if (type === "date" && schema.formatMinimum) input.setAttribute("min", schema.formatMinimum);
      if (type === "date" && schema.formatMaximum) input.setAttribute("max", schema.formatMaximum);
    }
    if (ui && ui["ui:placeholder"]) input.setAttribute("placeholder", ui["ui:placeholder"]);
    // A file field holds the path of a file committed next to the request, not its content.
    var types = fileTypes(ui);
    if (types && types.length && !input.getAttribute("placeholder")) {
      input.setAttribute("placeholder", "file name, e.g. schema" + types[0]);
    }
    if (fieldDefault !== undefined && fieldDefault !== null) input.value = String(fieldDefault);
    input.pacRead = function () {
      if (schema.type === "number") {
        // Text the browser cannot read as a number leaves the value empty: say so rather
        // than silently leaving the field out.
        if (input.validity && input.validity.badInput) return NaN;
        return input.value.trim() ? Number(input.value) : undefined;
      }
      // Kept exactly as typed, leading spaces and all: pac checks the same characters.
      return input.value === "" ? undefined : input.value;
    };
    return input;
  }

  function fieldBlock(id, label, schema, ui, required, fieldDefault, words) {
    var input = control(id, schema, ui, fieldDefault);
    var help = (ui && (ui["ui:help"] || ui["ui:description"])) || (schema.description || "");
    // The owners' help of a password field says what the secret is; pac's own line (a CI
    // secret's name, never the secret) only where they wrote none, so it is said once.
    if (ui && ui.secretRef && !help) help = ui.secretRef["ui:help"] || "";
    var error = el("div", { className: "error", role: "alert" });
    var block = el("div", { className: "field", "data-field": id }, [
      el("label", { "for": id }, [document.createTextNode(label), required ? el("span", { className: "req", text: " *" }) : null]),
      input,
      help ? el("div", { className: "help", text: help }) : null,
      error,
    ]);
    return { block: block, input: input, error: error, schema: schema, required: required, words: words || {} };
  }

  /* A file field's extensions (".avsc,.json" in ui:options.accept), or null for other fields. */
  function fileTypes(ui) {
    var options = ui && ui["ui:options"];
    if (!options || options.pacFieldType !== "file") return null;
    return options.accept ? options.accept.split(",") : [];
  }

  /* Strings are always double-quoted, so "yes", "0123", "1e3" or "null" stay strings.
     JSON's escapes are YAML's; on top, characters YAML would read as line breaks or
     reject (NEL, U+2028/9, C1 controls, BOM) are written as escapes. */
  function yamlScalar(value) {
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    var text = String(value);
    if (text.toWellFormed) text = text.toWellFormed();
    return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, function (found) {
      return "\\u" + ("000" + found.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  function yamlValue(value, indent) {
    if (Array.isArray(value)) return "[" + value.map(yamlScalar).join(", ") + "]";
    if (value && typeof value === "object") {
      return Object.keys(value).map(function (key) {
        var inner = value[key];
        if (inner && typeof inner === "object" && !Array.isArray(inner)) {
          return "\n" + indent + key + ":" + yamlValue(inner, indent + "  ");
        }
        return "\n" + indent + key + ": " + yamlValue(inner, indent + "  ");
      }).join("");
    }
    return yamlScalar(value);
  }

  function requestForm(spec, site, change) {
    var schema = spec.schema, ui = spec.uiSchema, offering = spec.offering, words = spec.messages || {};
    var form = document.getElementById("request-form");
    var fields = [];
    var meta = el("fieldset", {}, [el("legend", { text: "You" })]);
    var people = [
      ["meta-email", "Your email", { type: "string", pattern: EMAIL.source }, "dev@company.com"],
      ["meta-name", "Your name", { type: "string", minLength: 1 }, "Dana Dev"],
      ["meta-team", "Your team (its folder under requests/)", { type: "string", pattern: KEBAB.source }, "payments"],
      ["meta-id", "Request id (default: the name below)", { type: "string", pattern: KEBAB.source }, ""],
    ];
    // A change keeps the request's metadata as it is: only its input is asked for.
    if (!change) {
      people.forEach(function (row) {
        var f = fieldBlock(row[0], row[1], row[2], { "ui:placeholder": row[3] }, row[0] !== "meta-id", undefined, words[row[0]]);
        f.path = null;
        fields.push(f);
        meta.appendChild(f.block);
      });
      form.appendChild(meta);
      prefillRequester();
    }

    var nameSchema = schema.properties.name;
    var top = el("fieldset", {}, [el("legend", { text: "Request" })]);
    var nameField = fieldBlock("input-name", nameSchema.title || "Name", nameSchema, ui.name || {}, true, undefined, words.name);
    nameField.path = ["name"];
    fields.push(nameField);
    top.appendChild(nameField.block);
    form.appendChild(top);

    (ui["ui:order"] || []).forEach(function (groupId) {
      if (groupId === "name") return;
      var group = schema.properties[groupId];
      var groupUi = ui[groupId] || {};
      var required = group.required || [];
      var set = el("fieldset", { "data-group": groupId }, [el("legend", { text: group.title || groupId })]);
      if (group.description) set.appendChild(el("p", { className: "muted", text: group.description }));
      (groupUi["ui:order"] || Object.keys(group.properties)).forEach(function (fieldId) {
        var fieldSchema = group.properties[fieldId];
        var f = fieldBlock("input-" + groupId + "-" + fieldId, fieldSchema.title || fieldId, fieldSchema,
          groupUi[fieldId] || {}, required.indexOf(fieldId) >= 0, fieldSchema["default"], words[groupId + "." + fieldId]);
        f.path = [groupId, fieldId];
        fields.push(f);
        set.appendChild(f.block);
      });
      form.appendChild(set);
    });

    if (change) prefillChange(fields, change);

    var summary = el("div", { className: "summary", id: "form-summary", role: "status" });
    summary.style.display = "none";
    form.appendChild(summary);
    form.appendChild(el("div", { className: "actions" }, [el("button", { type: "submit", id: "make-request", text: "Make the request file" })]));

    var output = document.getElementById("request-output");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bad = 0, values = {}, input = {};
      fields.forEach(function (f) {
        var value = f.input.pacRead();
        var said = problem(f, value);
        f.error.textContent = said;
        f.block.classList.toggle("invalid", !!said);
        if (said) { bad += 1; return; }
        values[f.block.getAttribute("data-field")] = value;
        if (!f.path || value === undefined || (Array.isArray(value) && !value.length)) return;
        if (f.path.length === 1) input.name = value;
        else { input[f.path[0]] = input[f.path[0]] || {}; input[f.path[0]][f.path[1]] = value; }
      });
      summary.style.display = "block";
      if (bad) {
        summary.className = "summary bad";
        summary.textContent = bad === 1 ? "1 field needs attention." : bad + " fields need attention.";
        output.hidden = true;
        return;
      }
      if (change) {
        finish(summary, output, site, change.path, changeText(change, input), true);
        return;
      }
      var id = values["meta-id"] || input.name;
      if (!KEBAB.test(id)) {
        summary.className = "summary bad";
        summary.textContent = "The request id must be kebab-case.";
        return;
      }
      if (idTaken(site, id, fields, values["meta-id"] ? "meta-id" : "input-name")) {
        summary.className = "summary bad";
        summary.textContent = "1 field needs attention.";
        output.hidden = true;
        return;
      }
      var team = values["meta-team"];
      var lines = [
        "# yaml-language-server: $schema=../../schema/request.json",
        "# Made with the catalog site's form. Commit it as requests/" + team + "/" + id + ".yaml",
        "# and open a pull request: the owners review it, merging it fulfils it.",
        "schemaVersion: catalog/v1",
        "kind: Request",
        "metadata:",
        "  id: " + yamlScalar(id),
        "  requester:",
        "    email: " + yamlScalar(values["meta-email"]),
        "    name: " + yamlScalar(values["meta-name"]),
        "    team: " + yamlScalar(team),
        (offering.kind === "CatalogBundle" ? "bundleId: " : "catalogItemId: ") + yamlScalar(offering.id),
        "input:" + yamlValue(input, "  "),
      ];
      finish(summary, output, site, "requests/" + team + "/" + id + ".yaml", lines.join("\n") + "\n", false);
    });

    if (!change) bindCopy();
  }

  // The clipboard API is missing or refused on some file:// and http:// pages: then the
  // text is selected, so one Ctrl+C copies it.
  function bindCopy() {
    document.getElementById("request-copy").addEventListener("click", function () {
      var pre = document.getElementById("request-yaml");
      function select() {
        var range = document.createRange();
        range.selectNodeContents(pre);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
      if (navigator.clipboard) navigator.clipboard.writeText(pre.textContent).catch(select);
      else select();
    });
  }

  /* ------------------------------------------- the pull request, change, decommission */

  function prefillRequester() {
    var params = new URLSearchParams(window.location.search);
    [["email", "meta-email"], ["name", "meta-name"], ["team", "meta-team"]].forEach(function (pair) {
      var value = params.get(pair[0]);
      if (value) document.getElementById(pair[1]).value = value;
    });
  }

  /* Ids are never reused, not even a decommissioned request's: the site knows them all. */
  function idTaken(site, id, fields, fieldId) {
    if ((site.requestIds || []).indexOf(id) < 0) return false;
    fields.forEach(function (f) {
      if (f.block.getAttribute("data-field") !== fieldId) return;
      f.error.textContent = "The request id " + id + " is taken by an existing request: choose another" +
        (fieldId === "meta-id" ? " id." : " name, or give another request id above.");
      f.block.classList.add("invalid");
    });
    return true;
  }

  function setValue(f, value) {
    var input = f.input;
    if (value === undefined || value === null) return;
    if (value && typeof value === "object" && !Array.isArray(value) && "secretRef" in value) input.value = value.secretRef;
    else if (input.classList && input.classList.contains("choices")) {
      Array.prototype.forEach.call(input.querySelectorAll("input"), function (box) {
        box.checked = (value || []).map(String).indexOf(box.value) >= 0;
      });
    } else if (input.type === "checkbox") input.checked = value === true;
    else input.value = String(value);
  }

  function lock(f, why) {
    var controls = f.input.querySelectorAll ? f.input.querySelectorAll("input") : [];
    [f.input].concat(Array.prototype.slice.call(controls)).forEach(function (node) {
      if (node.tagName === "SELECT" || node.type === "checkbox") node.disabled = true;
      else node.readOnly = true;
    });
    f.block.classList.add("locked");
    f.block.appendChild(el("div", { className: "help", text: why }));
  }

  /* The form filled in from the request file as it is; the name and immutable fields
     cannot change once fulfilled (validate refuses it), so they are read-only. */
  function prefillChange(fields, change) {
    fields.forEach(function (f) {
      if (!f.path) return;
      var value = f.path.length === 1 ? change.input.name : (change.input[f.path[0]] || {})[f.path[1]];
      setValue(f, value);
      var path = f.path.join(".");
      if (path === "name") lock(f, "The name never changes: decommission and request anew.");
      else if (change.immutable.indexOf(path) >= 0) lock(f, "Cannot change once fulfilled: decommission and request anew.");
    });
  }

  function changeText(change, input) {
    var lines = [
      "# yaml-language-server: $schema=../../schema/request.json",
      "schemaVersion: catalog/v1",
      "kind: Request",
      "metadata:" + yamlValue(change.metadata, "  "),
      change.targetKey + ": " + yamlScalar(change.targetId),
      "input:" + yamlValue(input, "  "),
    ];
    if (change.operations) lines.push("operations:" + yamlValue(change.operations, "  "));
    return lines.join("\n") + "\n";
  }

  /* The file as it is, with the decommission added at its end: comments and all stay. */
  function decommissionText(change, reason) {
    var text = change.text.replace(/\s*$/, "\n");
    return text + "decommission:\n  reason: " + yamlScalar(reason) + "\n";
  }

  function encodedPath(text) {
    return text.split("/").map(encodeURIComponent).join("/");
  }

  /* GitHub (and GitHub Enterprise) open a new file from the address: its name and content
     are query parameters. An existing file cannot be filled in that way — the new-file
     page refuses a name that exists, and the editor takes no content from the address —
     so a change opens the editor with the new content on the clipboard. */
  function pullRequestLink(host, path, text, existing) {
    if (!host || !host.url) return { why: (host && host.whyNot) || "this page does not know the repository's web address" };
    var branch = encodedPath(host.branch || "main");
    if (existing) return { href: host.url + "/edit/" + branch + "/" + encodedPath(path) };
    var href = host.url + "/new/" + branch + "?filename=" + encodeURIComponent(path) +
      "&value=" + encodeURIComponent(text);
    if (href.length > host.maxLink) {
      return { why: "the request is too long to travel in a link (" + href.length + " characters, at most " + host.maxLink + " work)" };
    }
    return { href: href };
  }

  function steps(list) {
    var node = document.getElementById("request-steps");
    node.innerHTML = "";
    list.forEach(function (line) { node.appendChild(el("li", { text: line })); });
    node.hidden = !list.length;
  }

  function finish(summary, output, site, path, text, existing) {
    var link = pullRequestLink(site.host, path, text, existing);
    var button = document.getElementById("request-pr");
    var fallback = document.getElementById("request-fallback");
    summary.style.display = "block";
    summary.className = "summary good";
    document.getElementById("request-path").textContent = path;
    document.getElementById("request-yaml").textContent = text;
    var download = document.getElementById("request-download");
    download.setAttribute("download", path.split("/").pop());
    download.setAttribute("href", URL.createObjectURL(new Blob([text], { type: "text/yaml" })));
    button.hidden = !link.href;
    fallback.hidden = !!link.href;
    document.getElementById("request-save").hidden = !!link.href;
    if (link.href) {
      button.setAttribute("href", link.href);
      button.textContent = existing ? "Copy and open the editor" : "Open pull request";
      summary.textContent = existing ? "Done: propose it as a change of " + path + "." : "Done: open the pull request.";
      steps(existing ? [
        "The button copies the new content and opens " + path + " in the repository's editor.",
        "There, select all (Ctrl+A or Cmd+A) and paste (Ctrl+V or Cmd+V).",
        "Choose \u201cCreate a new branch and start a pull request\u201d, then Propose changes.",
      ] : [
        "The button opens the repository's new-file page with " + path + " filled in.",
        "Choose \u201cCreate a new branch and start a pull request\u201d, then Propose changes.",
      ]);
    } else {
      fallback.textContent = "No Open pull request button: " + link.why + ". Copy or download the file and add it to the repository as " + path + " in a pull request.";
      summary.textContent = "Done: save it as " + path + ".";
      steps([]);
    }
    output.hidden = false;
  }

  function copyText(text) {
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
  }

  function decommissionForm(site, change) {
    var reason = document.getElementById("decommission-reason");
    var block = reason.parentNode;
    document.getElementById("decommission-make").addEventListener("click", function () {
      var text = reason.value.trim();
      block.querySelector(".error").textContent = text ? "" : "Say why it goes: the owning teams read it.";
      block.classList.toggle("invalid", !text);
      if (!text) return;
      var summary = document.getElementById("form-summary") || el("div", { className: "summary" });
      finish(summary, document.getElementById("request-output"), site, change.path, decommissionText(change, reason.value), true);
    });
  }

  /* A request's page: Change opens its form filled in, Decommission asks for a reason. */
  function dayTwo(spec, site, change) {
    var changeButton = document.getElementById("change-open");
    var retireButton = document.getElementById("decommission-open");
    var built = false;
    if (changeButton) changeButton.addEventListener("click", function () {
      if (!built) requestForm(spec, site, change);
      built = true;
      document.getElementById("change").hidden = false;
      document.getElementById("decommission").hidden = true;
      document.getElementById("request-output").hidden = true;
    });
    if (retireButton) retireButton.addEventListener("click", function () {
      document.getElementById("decommission").hidden = false;
      document.getElementById("change").hidden = true;
      document.getElementById("request-output").hidden = true;
    });
    if (retireButton) decommissionForm(site, change);
    // Copy as the editor opens: the clipboard needs the click itself.
    document.getElementById("request-pr").addEventListener("click", function () {
      if (this.textContent.indexOf("Copy") === 0) copyText(document.getElementById("request-yaml").textContent);
    });
    bindCopy();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var catalog = data("pac-catalog");
    if (catalog) index(catalog);
    var spec = data("pac-form");
    var site = window.pacSite || {};  // assets/site.js: the repository and the taken ids
    var change = data("pac-change");
    if (spec && change) dayTwo(spec, site, change);
    else if (spec) requestForm(spec, site, null);
  });
})();
