// A Plotly figure drawn with plotly.js's basic bundle (static/plotly-basic.min.js).
// Streamlit calls the default export on every render with the figure as JSON; the bundle is
// loaded once per page (a <script> tag shared by every chart) and Plotly.react redraws in
// place. Text in the figure is set by plotly.js as SVG text, never parsed as HTML.
const BUNDLE = "app/static/plotly-basic.min.js";
let loading = null;

function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(BUNDLE, document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { loading = null; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

export default function (component) {
  const { parentElement, data } = component;
  let div = parentElement.querySelector("div.bf-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "bf-chart";
    div.style.width = "100%";
    parentElement.appendChild(div);
  }
  const figure = JSON.parse(data.figure);
  // Reserve the figure's height before the bundle arrives: the page does not jump.
  div.style.minHeight = `${(figure.layout && figure.layout.height) || 450}px`;
  plotly()
    .then((Plotly) => Plotly.react(div, figure.data, figure.layout, data.config))
    .catch((error) => { div.textContent = `The chart could not be drawn: ${error.message}`; });
  return () => { if (window.Plotly) window.Plotly.purge(div); };
}
