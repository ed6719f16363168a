// The page at `/`: pick or drop a photo, choose model and strength, watch the upload and the
// work, compare before and after with a slider, download. Self-contained (no CDN, no
// external script or font), so it works on a machine with no internet access.
let webPage = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DSLRKit</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f4f4f2; color: #222; }
  header { padding: 14px 24px; background: #222; color: #eee; }
  header h1 { margin: 0; font-size: 18px; font-weight: 600; }
  main { max-width: 1100px; margin: 0 auto; padding: 20px 24px; }
  #drop { border: 2px dashed #999; border-radius: 8px; padding: 28px; text-align: center; background: #fff; cursor: pointer; }
  #drop.over { border-color: #2a7; background: #effaf3; }
  .controls { display: flex; gap: 18px; align-items: center; flex-wrap: wrap; margin: 16px 0; }
  button, select { font: inherit; padding: 6px 12px; }
  #status { min-height: 1.4em; margin: 8px 0; }
  #status.error { color: #b00020; }
  progress { width: 240px; }
  #compare { position: relative; display: none; max-width: 100%; user-select: none; }
  #compare img { display: block; max-width: 100%; }
  #after-wrap { position: absolute; top: 0; left: 0; bottom: 0; overflow: hidden; width: 50%; }
  #after-wrap img { max-width: none; }
  #handle { position: absolute; top: 0; bottom: 0; width: 2px; background: #fff; box-shadow: 0 0 3px #000; left: 50%; }
  .label { position: absolute; top: 8px; padding: 2px 8px; background: rgba(0,0,0,.55); color: #fff; font-size: 12px; border-radius: 3px; }
  #download { display: none; }
</style>
</head>
<body>
<header><h1>DSLRKit — make a phone photo look like a DSLR's</h1></header>
<main>
  <div id="drop" tabindex="0">Drop a photo here, or click to choose one (JPEG, PNG, TIFF, WebP)
    <input id="file" type="file" accept="image/*" hidden>
  </div>
  <div class="controls">
    <label>Model <select id="model"></select></label>
    <label>Strength <input id="strength" type="range" min="0" max="1" step="0.05" value="1"> <span id="strength-value">1.00</span></label>
    <button id="go" disabled>Enhance</button>
    <progress id="progress" max="1" value="0" hidden></progress>
    <a id="download" download="enhanced.jpg">Download the result</a>
  </div>
  <div id="status" role="status"></div>
  <div id="compare">
    <img id="before" alt="before">
    <div id="after-wrap"><img id="after" alt="after"></div>
    <div id="handle"></div>
    <span class="label" style="right:8px">before</span>
    <span class="label" style="left:8px">after</span>
  </div>
</main>
<script>
const $ = id => document.getElementById(id);
let photo = null;
const status = (text, error) => { $("status").textContent = text; $("status").className = error ? "error" : ""; };

fetch("/v1/models").then(r => r.json()).then(list => {
  for (const m of list.models) {
    const o = document.createElement("option");
    o.value = m.name; o.textContent = m.name; o.title = m.summary;
    if (m.name === list.default) o.selected = true;
    $("model").appendChild(o);
  }
}).catch(() => status("Could not list the models.", true));

$("strength").oninput = () => { $("strength-value").textContent = Number($("strength").value).toFixed(2); };
$("drop").onclick = () => $("file").click();
$("drop").onkeydown = e => { if (e.key === "Enter" || e.key === " ") $("file").click(); };
$("drop").ondragover = e => { e.preventDefault(); $("drop").classList.add("over"); };
$("drop").ondragleave = () => $("drop").classList.remove("over");
$("drop").ondrop = e => { e.preventDefault(); $("drop").classList.remove("over"); choose(e.dataTransfer.files[0]); };
$("file").onchange = () => choose($("file").files[0]);

function choose(file) {
  if (!file) return;
  photo = file;
  $("before").src = URL.createObjectURL(file);
  $("drop").firstChild.textContent = file.name + " (" + Math.round(file.size / 1024) + " kB) — click to choose another ";
  $("go").disabled = false;
  $("compare").style.display = "none";
  $("download").style.display = "none";
  status("Ready to enhance " + file.name + ".");
}

$("go").onclick = () => {
  if (!photo) return;
  const query = new URLSearchParams({ model: $("model").value, strength: $("strength").value });
  const request = new XMLHttpRequest();
  request.open("POST", "/v1/enhance?" + query);
  request.responseType = "blob";
  $("go").disabled = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  request.upload.onprogress = e => {
    if (e.lengthComputable) { $("progress").value = e.loaded / e.total; status("Uploading… " + Math.round(100 * e.loaded / e.total) + " %"); }
  };
  request.upload.onload = () => { $("progress").removeAttribute("value"); status("Enhancing on the server…"); };
  request.onload = async () => {
    $("go").disabled = false;
    $("progress").hidden = true;
    if (request.status !== 200) {
      let reason = request.statusText;
      try { reason = JSON.parse(await request.response.text()).error.message; } catch (e) {}
      status("Not enhanced (" + request.status + "): " + reason, true);
      return;
    }
    const url = URL.createObjectURL(request.response);
    $("after").src = url;
    const type = request.response.type.split("/")[1] || "jpg";
    $("download").href = url;
    $("download").download = photo.name.replace(/\.[^.]*$/, "") + "-enhanced." + type;
    $("download").style.display = "inline";
    $("after").onload = () => { $("compare").style.display = "inline-block"; place(0.5); };
    status("Enhanced with " + request.getResponseHeader("X-DSLR-Model") + " in " + request.getResponseHeader("X-DSLR-Seconds") + " s. Drag across the photo to compare.");
  };
  request.onerror = () => { $("go").disabled = false; $("progress").hidden = true; status("The server could not be reached.", true); };
  request.send(photo);
};

function place(fraction) {
  const width = $("before").clientWidth;
  $("after").style.width = width + "px";
  $("after-wrap").style.width = (fraction * 100) + "%";
  $("handle").style.left = (fraction * 100) + "%";
}
const slide = e => {
  const box = $("compare").getBoundingClientRect();
  const x = (e.touches ? e.touches[0].clientX : e.clientX) - box.left;
  place(Math.min(1, Math.max(0, x / box.width)));
};
$("compare").addEventListener("mousemove", e => { if (e.buttons === 1) slide(e); });
$("compare").addEventListener("mousedown", slide);
$("compare").addEventListener("touchmove", slide);
window.addEventListener("resize", () => place(parseFloat($("after-wrap").style.width) / 100 || 0.5));
</script>
</body>
</html>
"""#
