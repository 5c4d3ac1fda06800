/* observatoire — atlas des quartiers : carte (Leaflet embarqué), légende, tableau classé.
   Tout texte venant des données entre dans la page par textContent (jamais innerHTML). */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("donnees-atlas").textContent);
  var Q = D.quartiers, G = D.geo, N = Q.length, HATCH = "url(#obs-hachures)";
  var byId = {};
  D.indicateurs.forEach(function (ind) { byId[ind.id] = ind; });
  var selInd = document.getElementById("indicateur");
  var selYear = document.getElementById("millesime");
  var $ = function (id) { return document.getElementById(id); };
  var state = { entry: null, order: [], current: -1 };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function decodeRing(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([y / 1e5, x / 1e5]); }
    return out;
  }
  function decode(polys) { return polys.map(function (p) { return p.map(decodeRing); }); }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  function plural(n, one, many) { return count(n) + "\u00a0" + (n > 1 ? many : one); }
  var anyLink = Q.some(function (q) { return !!q.lien; });

  // ------------------------------------------------------------------ carte
  var map = L.map("carte", { zoomControl: false, zoomSnap: 0.25, zoomDelta: 0.5, renderer: L.svg() });
  L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  if (G.emprise) { map.fitBounds(G.emprise, { animate: false }); } else { map.setView([46.5, 2.5], 5); }
  if (G.communes.length) {
    L.polygon(decode(G.communes), { interactive: false, fill: false, color: "#222222",
      weight: G.symboles ? 1 : 1.5, dashArray: "6 4" }).addTo(map);
  }
  var shapes = [], dots = [], polyLayer = L.layerGroup(), dotLayer = L.layerGroup();
  Q.forEach(function (q, i) {
    var opts = { weight: 1, color: "#333333", fillOpacity: 0.85, className: "obs-quartier" };
    if (G.formes[i] && G.formes[i].length) {
      shapes[i] = L.polygon(decode(G.formes[i]), opts);
      polyLayer.addLayer(shapes[i]);
    }
    if (G.symboles && G.centres[i]) {
      dots[i] = L.circleMarker([G.centres[i][1] / 1e5, G.centres[i][0] / 1e5],
        L.extend({}, opts, { radius: G.rayons[0], fillOpacity: 0.9 }));
      dotLayer.addLayer(dots[i]);
    }
    [shapes[i], dots[i]].forEach(function (layer) {
      if (!layer) { return; }
      layer.bindTooltip(function () { return tooltip(i); }, { sticky: true });
      layer.on("click", function () { open(i); });
      layer.on("add", function () { decorate(i, layer); });
      layer.on("mouseover", function () { mark(i, true); });
      layer.on("mouseout", function () { mark(i, false); });
    });
  });
  function shown(i) {
    var near = !G.symboles || map.getZoom() >= G.zoom_contours;
    return near ? shapes[i] : dots[i];
  }
  function switchLayers() {
    var near = !G.symboles || map.getZoom() >= G.zoom_contours;
    var show = near ? polyLayer : dotLayer, hide = near ? dotLayer : polyLayer;
    if (map.hasLayer(hide)) { map.removeLayer(hide); }
    if (!map.hasLayer(show)) { map.addLayer(show); }
  }
  map.on("zoomend", switchLayers);

  function label(i) {
    var e = state.entry, q = Q[i];
    var text = q.nom + " (" + q.code + ") : " + (e ? e.t[i] : "");
    return text + (q.lien ? " ; ouvrir le tableau de bord" : " ; tableau de bord non produit");
  }
  function tooltip(i) {
    var box = el("div", null, "obs-bulle"), e = state.entry;
    box.appendChild(el("strong", Q[i].nom));
    box.appendChild(el("span", Q[i].code + " ; " + (e ? e.t[i] : "")));
    return box;
  }
  function decorate(i, layer) {
    var path = layer.getElement();
    if (!path) { return; }
    path.setAttribute("data-code", Q[i].code);
    path.setAttribute("data-i", String(i));
    path.setAttribute("tabindex", i === state.current ? "0" : "-1");
    path.setAttribute("role", Q[i].lien ? "link" : "button");
    path.setAttribute("aria-label", label(i));
  }
  function decorateAll() {
    for (var i = 0; i < N; i++) {
      [shapes[i], dots[i]].forEach(function (layer) { if (layer) { decorate(i, layer); } });
    }
  }
  function mark(i, on) {
    var layer = shown(i), row = document.querySelector('tr[data-i="' + i + '"]');
    if (layer && layer.getElement()) { layer.getElement().classList.toggle("obs-survol", on); }
    if (row) { row.classList.toggle("survol", on); }
  }
  function open(i) {
    var q = Q[i];
    if (q.lien) { window.location.href = q.lien; return; }
    $("annonce").textContent = "Le tableau de bord de " + q.nom + " (" + q.code + ") n'a pas été " +
      "produit dans le dossier des rapports : lancez observatoire rapports --quartier " + q.code + ".";
  }
  function focusQuartier(i) {
    var layer = shown(i);
    if (!layer || !layer.getElement()) { return; }
    var previous = state.current >= 0 && shown(state.current);
    if (previous && previous.getElement()) { previous.getElement().setAttribute("tabindex", "-1"); }
    state.current = i;
    var path = layer.getElement();
    path.setAttribute("tabindex", "0");
    var centre = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    if (!map.getBounds().contains(centre)) { map.panTo(centre, { animate: false }); }
    path.focus({ preventScroll: true });
  }
  map.getContainer().addEventListener("keydown", function (ev) {
    var t = ev.target, raw = t && t.getAttribute && t.getAttribute("data-i");
    if (raw === null || raw === undefined) { return; }
    var i = Number(raw), pos = state.order.indexOf(i), next = null;
    if (ev.key === "Enter" || ev.key === " ") { open(i); }
    else if (ev.key === "ArrowRight" || ev.key === "ArrowDown") { next = state.order[Math.min(pos + 1, N - 1)]; }
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") { next = state.order[Math.max(pos - 1, 0)]; }
    else if (ev.key === "Home") { next = state.order[0]; }
    else if (ev.key === "End") { next = state.order[N - 1]; }
    else { return; }
    ev.preventDefault();
    ev.stopPropagation();
    if (next !== null && next !== undefined) { focusQuartier(next); }
  });
  map.getContainer().addEventListener("focusin", function (ev) {
    var raw = ev.target.getAttribute && ev.target.getAttribute("data-i");
    if (raw !== null && raw !== undefined) {
      var layer = shown(Number(raw));
      if (layer) { layer.openTooltip(); }
    }
  });
  map.getContainer().addEventListener("focusout", function (ev) {
    var raw = ev.target.getAttribute && ev.target.getAttribute("data-i");
    if (raw !== null && raw !== undefined) {
      var layer = shown(Number(raw));
      if (layer) { layer.closeTooltip(); }
    }
  });

  // ------------------------------------------------------------------ choix
  function fillYears(ind, wanted) {
    var years = Object.keys(ind.annees).sort();
    var keep = years.indexOf(String(wanted)) >= 0 ? String(wanted) : years[years.length - 1];
    selYear.textContent = "";
    years.forEach(function (y) {
      var o = el("option", y);
      o.value = y;
      if (y === keep) { o.selected = true; }
      selYear.appendChild(o);
    });
  }
  function titleOf(ind, year) {
    var unit = ind.unite && ind.unite !== "nombre" ? " (" + ind.unite + ")" : "";
    return ind.libelle + unit + ", " + year;
  }

  function render() {
    var ind = byId[selInd.value], year = selYear.value, e = ind.annees[year], c = e.classes;
    state.entry = e;
    for (var i = 0; i < N; i++) {
      var k = e.k[i], style = k >= 0 ? { fillColor: c.couleurs[k], fillOpacity: 0.85 } :
        { fillColor: HATCH, fillOpacity: 1 };
      if (shapes[i]) { shapes[i].setStyle(style); }
      if (dots[i]) { dots[i].setStyle(L.extend({ radius: G.rayons[k + 1] }, style, { fillOpacity: 0.9 })); }
    }
    var title = titleOf(ind, year);
    $("titre-carte").textContent = "Carte : " + title;
    $("definition").textContent = ind.definition ? "Définition : " + ind.definition : "";
    $("source").textContent = e.source;
    var drawn = 0;
    for (var j = 0; j < N; j++) { if (shapes[j] || dots[j]) { drawn++; } }
    var desc = "Carte de " + plural(drawn, "quartier", "quartiers") + " colorés selon « " + title +
      " » : " + plural(c.couleurs.length, "classe", "classes") + " par " + c.methode +
      ", du plus clair (valeurs basses) au plus foncé (valeurs hautes) ; " +
      plural(e.n_na, "quartier", "quartiers") + " en " + D.libelles.na +
      (e.n_secret ? ", dont " + e.n_secret + " sous " + D.libelles.secret : "") +
      " (hachures grises). Le tableau « Quartiers classés » donne les mêmes valeurs en texte.";
    if (drawn === 0) {
      desc = "Aucun contour de quartier n'est déclaré dans la configuration : carte indisponible. " +
        "Le tableau « Quartiers classés » donne les valeurs des " + plural(N, "quartier", "quartiers") + ".";
    } else if (drawn < N) { desc += " " + plural(N - drawn, "quartier n'a", "quartiers n'ont") + " pas de contour déclaré : absents de la carte, présents dans le tableau."; }
    if (G.symboles) { desc += " Vue d'ensemble : un cercle au centre de chaque quartier, plus grand quand la classe est plus haute ; zoomez pour voir les contours."; }
    $("description-carte").textContent = desc;
    $("carte").hidden = drawn === 0;
    $("legende").hidden = drawn === 0;
    renderLegend(e);
    renderTable(ind, e, title);
    decorateAll();
    $("annonce").textContent = "";
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + encodeURIComponent(ind.id) + "/" + year);
    }
  }
  function renderLegend(e) {
    var c = e.classes, ul = $("classes");
    ul.textContent = "";
    $("methode").textContent = c.couleurs.length ? "Classes : " + c.methode + " (nombre de quartiers)" :
      "Aucune valeur disponible pour ce millésime : aucune classe.";
    c.couleurs.forEach(function (color, k) {
      var li = el("li"), sw = el("span", null, "case");
      sw.style.background = color;
      li.appendChild(sw);
      li.appendChild(el("span", c.libelles[k] + " (" + c.effectifs[k] + ")"));
      ul.appendChild(li);
    });
    var na = el("li");
    na.appendChild(el("span", null, "case case-na"));
    na.appendChild(el("span", "hachures grises : " + D.libelles.na +
      (e.n_secret ? " ou " + D.libelles.secret : "") + " (" + count(e.n_na) +
      (e.n_secret ? ", dont " + count(e.n_secret) + " sous " + D.libelles.secret : "") + ")"));
    ul.appendChild(na);
    if (G.communes.length) {
      var com = el("li");
      com.appendChild(el("span", null, "trait-commune"));
      com.appendChild(el("span", "limite communale"));
      ul.appendChild(com);
    }
    $("note-symboles").hidden = !G.symboles;
  }
  function renderTable(ind, e, title) {
    var seen = {}, ties = {};  // rang « min » : des ex æquo partagent leur rang
    e.r.forEach(function (r) { if (r !== null) { seen[r] = (seen[r] || 0) + 1; } });
    e.r.forEach(function (r, i) { if (r !== null && seen[r] > 1) { ties[i] = true; } });
    var order = [];
    for (var i = 0; i < N; i++) { order.push(i); }
    order.sort(function (a, b) {
      var ra = e.r[a], rb = e.r[b];
      if (ra !== null && rb !== null && ra !== rb) { return ra - rb; }
      if ((ra === null) !== (rb === null)) { return ra === null ? 1 : -1; }
      return Q[a].nom.localeCompare(Q[b].nom, "fr") || (Q[a].code < Q[b].code ? -1 : 1);
    });
    state.order = order;
    if (state.current < 0 || !shown(state.current)) { state.current = order[0]; }
    var body = document.createDocumentFragment();
    order.forEach(function (i) {
      var tr = el("tr"), q = Q[i], k = e.k[i];
      tr.setAttribute("data-i", String(i));
      tr.setAttribute("data-code", q.code);
      var rank = e.r[i] === null ? "non classé" : String(e.r[i]) + (ties[i] ? " (ex æquo)" : "");
      tr.appendChild(el("td", rank, "nombre"));
      var th = el("th");
      th.setAttribute("scope", "row");
      if (q.lien) {
        var a = el("a", q.nom);
        a.setAttribute("href", q.lien);
        th.appendChild(a);
      } else {
        th.appendChild(el("span", q.nom));
        if (anyLink) { th.appendChild(el("span", "tableau de bord non produit", "sans-lien")); }
      }
      tr.appendChild(th);
      tr.appendChild(el("td", q.code));
      tr.appendChild(el("td", e.t[i], "nombre"));
      tr.appendChild(el("td", k >= 0 ? e.classes.libelles[k] : "hachures grises"));
      tr.addEventListener("mouseenter", function () { mark(i, true); });
      tr.addEventListener("mouseleave", function () { mark(i, false); });
      tr.addEventListener("focusin", function () { mark(i, true); });
      tr.addEventListener("focusout", function () { mark(i, false); });
      body.appendChild(tr);
    });
    var tbody = document.querySelector("#tableau tbody");
    tbody.textContent = "";
    tbody.appendChild(body);
    $("legende-tableau").textContent = title + " : " + plural(N, "quartier", "quartiers") +
      ", du rang 1 (situation la plus défavorable) aux quartiers non classés";
    $("sans-tableaux").hidden = anyLink;
    $("sens").textContent = e.sens ? "Rang : " + e.sens + " ; valeurs secrètes ou absentes non classées." : "";
  }

  // ------------------------------------------------------------------ départ
  function fromHash() {
    var parts = decodeURIComponent(window.location.hash.replace(/^#/, "")).split("/");
    if (parts[0] && byId[parts[0]]) { selInd.value = parts[0]; return parts[1]; }
    return selYear.value;
  }
  selInd.addEventListener("change", function () { fillYears(byId[selInd.value], selYear.value); render(); });
  selYear.addEventListener("change", render);
  fillYears(byId[selInd.value], fromHash());
  switchLayers();
  render();
  document.documentElement.setAttribute("data-atlas", "pret");
})();
