/* wirespeed: draw the plot specs of a page with uPlot (vendor/uplot).
 *
 * The page holds a JSON script element (type application/json) of id
 * "wirespeed-plots" with a list of specs: {id, title, x_label, y_label,
 * kind: "lines" | "bars", x: [numbers], x_labels: [strings] | null (then x are
 * indices of categories), series: [{label, values: [number | null]}]}. Each spec
 * is drawn into the element of its id. After its first draw the element records
 * what uPlot drew: data-points holds the points per series (comma-separated),
 * and once every plot has drawn, body.dataset.plots holds their number. A plot
 * that fails records data-error.
 */
(function () {
  "use strict";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                "#9467bd", "#8c564b", "#e377c2", "#17becf"];

  function finite(values) {
    var n = 0;
    for (var i = 0; i < values.length; i++) {
      if (typeof values[i] === "number" && isFinite(values[i])) n++;
    }
    return n;
  }

  function seriesOptions(spec) {
    var out = [{label: spec.x_label}];
    spec.series.forEach(function (s, i) {
      var c = COLORS[i % COLORS.length];
      var o = {label: s.label, stroke: c, width: 2,
               points: {show: true, size: 7, fill: c}};
      if (spec.kind === "bars") {
        o.paths = uPlot.paths.bars({size: [0.7, 80]});
        o.fill = c + "99";
        o.points = {show: false};
      }
      out.push(o);
    });
    return out;
  }

  function options(spec, width) {
    var xAxis = {label: spec.x_label};
    var xScale = {time: false};
    if (spec.x_labels !== null) {
      xScale.distr = 2;
      xAxis.values = function (u, splits) {
        return splits.map(function (v) {
          var label = spec.x_labels[v];
          return label === undefined ? "" : label;
        });
      };
    }
    return {
      title: spec.title,
      width: width,
      height: 280,
      scales: {x: xScale},
      axes: [xAxis, {label: spec.y_label, size: 70}],
      series: seriesOptions(spec),
      legend: {live: false}
    };
  }

  function draw(spec, onDrawn) {
    var el = document.getElementById(spec.id);
    if (el === null) throw new Error("no element " + spec.id);
    var opts = options(spec, Math.max(320, el.clientWidth || 560));
    opts.hooks = {draw: [function (u) {
      if (el.dataset.points !== undefined) return;
      el.dataset.points = u.data.slice(1).map(finite).join(",");
      onDrawn();
    }]};
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    return new uPlot(opts, data, el);
  }

  var specs = JSON.parse(document.getElementById("wirespeed-plots").textContent);
  var drawn = 0;
  if (specs.length === 0) document.body.dataset.plots = "0";
  function onDrawn() {
    drawn++;
    if (drawn === specs.length) document.body.dataset.plots = String(drawn);
  }
  specs.forEach(function (spec) {
    try {
      draw(spec, onDrawn);
    } catch (e) {
      var el = document.getElementById(spec.id);
      if (el !== null) el.dataset.error = String(e);
      document.body.dataset.errors = (document.body.dataset.errors || "") + spec.id + " ";
    }
  });
})();
