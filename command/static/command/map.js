// The command map (command/map.html): the area's children from areas.geojson, coloured by the chosen figure,
// the apps' points with popups, a tap on an area opens its own map. MapLibre is our static copy from npm.
const script = document.querySelector("script[data-maplibre]");
const element = document.getElementById("map");
const config = {
  ...JSON.parse(document.getElementById("map-config").textContent),
  data: element.dataset.src,
  tiles: element.dataset.tiles,
  attribution: element.dataset.attribution,
};
const maplibregl = await import(script.dataset.maplibre);

const RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]; // low → high
const CATEGORIES = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
const NODATA = "#d9d9d9";

function style() {
  const background = { id: "background", type: "background", paint: { "background-color": "#f4f1ea" } };
  if (!config.tiles) return { version: 8, sources: {}, layers: [background] };
  return {
    version: 8,
    sources: { tiles: { type: "raster", tiles: [config.tiles], tileSize: 256, attribution: config.attribution } },
    layers: [background, { id: "tiles", type: "raster", source: "tiles" }],
  };
}

function bounds(features) {
  let box = null;
  const visit = (c) => {
    if (typeof c[0] === "number") {
      box = box ? [Math.min(box[0], c[0]), Math.min(box[1], c[1]), Math.max(box[2], c[0]), Math.max(box[3], c[1])]
        : [c[0], c[1], c[0], c[1]];
    } else c.forEach(visit);
  };
  features.forEach((f) => f.geometry && visit(f.geometry.coordinates));
  return box;
}

function format(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? value.toLocaleString() : String(value);
}

// A colour per feature for `key`: five equal classes between the smallest and largest number, or one colour per
// distinct text (a control status).
function colours(features, key) {
  const values = features.map((f) => f.properties[key]).filter((v) => v !== null && v !== undefined);
  const numeric = values.every((v) => typeof v === "number");
  const legend = [];
  let pick;
  if (!values.length) {
    pick = () => NODATA;
  } else if (numeric) {
    const min = Math.min(...values), max = Math.max(...values), step = (max - min) / RAMP.length || 1;
    pick = (v) => RAMP[Math.min(RAMP.length - 1, Math.floor((v - min) / step))];
    RAMP.forEach((colour, i) => {
      const low = min + step * i;
      if (max === min && i > 0) return;
      legend.push([colour, max === min ? format(min) : `${format(Math.round(low))}–${format(Math.round(low + step))}`]);
    });
  } else {
    const distinct = [...new Set(values.map(String))].sort();
    pick = (v) => CATEGORIES[distinct.indexOf(String(v)) % CATEGORIES.length];
    distinct.forEach((v, i) => legend.push([CATEGORIES[i % CATEGORIES.length], v]));
  }
  if (values.length < features.length) legend.push([NODATA, config.nodata]);
  const paint = (v) => (v === null || v === undefined ? NODATA : pick(v));
  return { paint, legend };
}

function drawLegend(legend, layers) {
  const box = document.getElementById("map-legend");
  box.replaceChildren();
  const item = (colour, text, dot) => {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    if (dot) swatch.className = "dot";
    span.append(swatch, text);
    box.append(span);
  };
  legend.forEach(([colour, text]) => item(colour, text));
  layers.forEach((layer) => item(layer.colour, layer.label, true));
}

function popup(properties) {
  const root = document.createElement("div");
  const title = document.createElement("b");
  title.textContent = properties.name;
  const list = document.createElement("dl");
  const details = typeof properties.details === "string" ? JSON.parse(properties.details) : properties.details;
  for (const [label, value] of details) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    list.append(dt, dd);
  }
  root.append(title, list);
  return root;
}

const response = await fetch(config.data, { headers: { Accept: "application/geo+json" } });
const data = await response.json();
const areas = data.features.filter((f) => f.geometry);
const select = document.getElementById("map-key");
const box = bounds(areas.length ? areas : data.points.features);

const map = new maplibregl.Map({
  container: "map",
  style: style(),
  bounds: box || [113.03, 22.53, 113.13, 22.63],
  fitBoundsOptions: { padding: 16 },
  attributionControl: config.tiles ? {} : false,
  dragRotate: false,
  pitchWithRotate: false,
});
map.touchZoomRotate.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
window.gridcareMap = map; // for the browser test

function recolour() {
  const key = select ? select.value : "";
  const { paint, legend } = colours(data.features, key);
  areas.forEach((f) => (f.properties.fill = paint(f.properties[key])));
  const source = map.getSource("areas");
  if (source) source.setData({ type: "FeatureCollection", features: areas });
  drawLegend(key ? legend : [], config.layers);
  const option = select && select.selectedOptions[0];
  const head = document.getElementById("map-key-head");
  if (head && option) head.textContent = option.textContent;
  document.querySelectorAll(".map-rows tbody tr").forEach((row) => {
    const feature = data.features.find((f) => f.properties.code === row.dataset.code);
    const cell = row.querySelector("td.num");
    if (feature && cell && key) {
      cell.textContent = format(feature.properties[key]);
      if (option) cell.dataset.label = option.textContent;
    }
  });
}

map.on("load", () => {
  map.addSource("areas", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": ["get", "fill"], "fill-opacity": 0.75 } });
  map.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#333", "line-width": 1.2 } });
  map.addSource("points", { type: "geojson", data: data.points });
  config.layers.forEach((layer) => {
    map.addLayer({
      id: `points-${layer.id}`,
      type: "circle",
      source: "points",
      filter: ["==", ["get", "layer"], layer.id],
      paint: { "circle-radius": 7, "circle-color": layer.colour, "circle-stroke-color": "#fff", "circle-stroke-width": 2 },
    });
    map.on("click", `points-${layer.id}`, (event) => {
      event.preventDefault();
      const feature = event.features[0];
      new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(feature.geometry.coordinates).setDOMContent(popup(feature.properties)).addTo(map);
    });
  });
  // Names as HTML labels: a blank style has no fonts for map text, and the map must work with no internet.
  areas.forEach((f) => {
    const [w, s, e, n] = bounds([f]);
    const label = document.createElement("span");
    label.className = "map-label";
    label.textContent = f.properties.name;
    new maplibregl.Marker({ element: label }).setLngLat([(w + e) / 2, (s + n) / 2]).addTo(map);
  });
  map.on("click", "areas-fill", (event) => {
    if (event.defaultPrevented) return;
    const href = event.features[0].properties.href;
    if (href) window.location.href = href;
  });
  map.on("mouseenter", "areas-fill", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "areas-fill", () => (map.getCanvas().style.cursor = ""));
  recolour();
  document.getElementById("map").dataset.ready = "true";
});
if (select) select.addEventListener("change", recolour);
