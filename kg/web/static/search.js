// Autocomplete for every search box: names from /search/suggest fill the shared <datalist>.
(function () {
  "use strict";
  var list = document.getElementById("search-suggestions");
  if (!list) return;
  var timer = null, last = "";
  function fill(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.label;
      option.label = item.class_label;
      list.appendChild(option);
    });
  }
  function ask(value) {
    if (value === last) return;
    last = value;
    if (value.length < 2) { fill([]); return; }
    fetch("/search/suggest?q=" + encodeURIComponent(value), {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { if (value === last) fill(items); })
      .catch(function () { fill([]); });
  }
  document.querySelectorAll("input[list=search-suggestions]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { ask(input.value.trim()); }, 120);
    });
  });
})();
