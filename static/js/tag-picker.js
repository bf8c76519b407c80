/* The ask form's tag picker (community/_tag_picker.html).
   Without this script the tags are a group of checkboxes. With it, the group becomes a combobox: type to filter,
   Up/Down to move through the matching tags, Enter to choose or unchoose one, Escape to close the list,
   Backspace in the empty box to remove the last chip. The checkboxes stay the form's inputs (hidden), so what is
   posted, and the server's rule of at most N tags, are the same with or without the script. */
(function () {
  "use strict";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function setUp(picker) {
    var holder = picker.querySelector("[data-tag-options]");
    var boxes = Array.prototype.slice.call(holder.querySelectorAll("input[type=checkbox]"));
    if (!boxes.length) return;
    var words = picker.dataset;
    var max = parseInt(words.maxTags, 10) || boxes.length;
    var base = boxes[0].id.replace(/_0$/, "") || "tags";
    var tags = boxes.map(function (box) {
      var label = holder.querySelector('label[for="' + box.id + '"]');
      return { box: box, name: (label ? label.textContent : box.value).trim() };
    });

    var control = element("div", "tag-picker-control");
    var chips = element("ul", "tag-chips");
    chips.setAttribute("aria-label", words.chosenLabel);
    var label = element("label", "visually-hidden", words.filterLabel);
    var input = element("input", "tag-picker-input");
    input.type = "text";
    input.id = base + "_filter";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "_listbox");
    input.setAttribute("aria-describedby", picker.getAttribute("aria-describedby") || "");
    input.placeholder = words.filterLabel;
    label.htmlFor = input.id;
    var list = element("ul", "tag-picker-list");
    list.id = base + "_listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.setAttribute("aria-label", picker.querySelector("legend").textContent);
    list.hidden = true;
    var empty = element("p", "tag-picker-empty muted", words.noMatch);
    empty.hidden = true;
    var status = element("p", "visually-hidden");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-tag-status", "");

    control.appendChild(chips);
    control.appendChild(label);
    control.appendChild(input);
    holder.hidden = true;
    holder.parentNode.insertBefore(control, holder);
    holder.parentNode.insertBefore(list, holder);
    holder.parentNode.insertBefore(empty, holder);
    holder.parentNode.insertBefore(status, holder);
    picker.classList.add("is-enhanced");

    var shown = [];  // the tags the list shows now, in order
    var active = -1;  // index into `shown`

    // The chosen tags in the order they were chosen: the chips show them so, and Backspace takes the last.
    var picked = tags.filter(function (tag) { return tag.box.checked; });

    function chosen() { return picked.slice(); }

    function matching() {
      // The tags that start with what was typed, then those that contain it elsewhere.
      var query = input.value.trim().toLowerCase();
      var starts = [], contains = [];
      tags.forEach(function (tag) {
        var at = tag.name.toLowerCase().indexOf(query);
        if (at === 0) starts.push(tag);
        else if (at > 0) contains.push(tag);
      });
      return starts.concat(contains);
    }

    function announce(text) {
      // Cleared first, so the same words said twice are read twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function drawChips() {
      chips.innerHTML = "";
      chosen().forEach(function (tag) {
        var chip = element("li", "tag-chip");
        chip.appendChild(element("span", "", tag.name));
        var remove = element("button", "tag-chip-remove", "\u00d7");
        remove.type = "button";
        remove.setAttribute("aria-label", format(words.removeLabel, { tag: tag.name }));
        remove.addEventListener("click", function () {
          toggle(tag);
          input.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = !chips.children.length;
    }

    function drawList() {
      var full = chosen().length >= max;
      shown = matching();
      list.innerHTML = "";
      shown.forEach(function (tag, index) {
        var option = element("li", "tag-option", tag.name);
        option.id = base + "_option_" + tag.box.value;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", tag.box.checked ? "true" : "false");
        if (full && !tag.box.checked) option.setAttribute("aria-disabled", "true");
        if (index === active) option.classList.add("is-active");
        option.addEventListener("click", function () {
          active = index;
          toggle(tag);
        });
        list.appendChild(option);
      });
      if (active >= shown.length) active = shown.length - 1;
      var activeOption = active >= 0 ? list.children[active] : null;
      if (activeOption) {
        input.setAttribute("aria-activedescendant", activeOption.id);
        if (activeOption.scrollIntoView) activeOption.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
      empty.hidden = list.hidden || shown.length > 0;
    }

    function open() {
      if (!list.hidden) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      drawList();
    }

    function close() {
      list.hidden = true;
      empty.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function toggle(tag) {
      if (!tag.box.checked && chosen().length >= max) {
        announce(format(words.full, { max: max }));
        return;
      }
      tag.box.checked = !tag.box.checked;
      if (tag.box.checked) picked.push(tag);
      else picked.splice(picked.indexOf(tag), 1);
      var message = tag.box.checked ? words.added : words.removed;
      announce(format(message, { tag: tag.name, count: chosen().length, max: max }));
      if (tag.box.checked && input.value) input.value = "";  // ready to type the next one
      drawChips();
      if (!list.hidden) {
        active = matching().indexOf(tag);
        drawList();
      }
    }

    function move(step) {
      open();
      if (!shown.length) return;
      active = active < 0 ? (step > 0 ? 0 : shown.length - 1) : (active + step + shown.length) % shown.length;
      drawList();
    }

    // The list opens on a click, on typing or on Down, not on focus: tabbing through the form stays quiet.
    input.addEventListener("click", open);
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // its scrollbar too
    input.addEventListener("input", function () {
      active = input.value.trim() ? 0 : -1;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      drawList();
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        move(1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        move(-1);
      } else if (event.key === "Enter") {
        // Enter chooses; it never posts the question half-tagged.
        if (!list.hidden && active >= 0 && shown[active]) {
          event.preventDefault();
          toggle(shown[active]);
        } else if (input.value.trim()) {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          input.value = "";
        }
      } else if (event.key === "Backspace" && !input.value) {
        var last = chosen().pop();
        if (last) {
          event.preventDefault();
          toggle(last);
        }
      }
    });
    control.addEventListener("click", function (event) {
      if (event.target === control || event.target === chips) input.focus();
    });

    drawChips();
  }

  document.querySelectorAll("[data-tag-picker]").forEach(setUp);
})();
