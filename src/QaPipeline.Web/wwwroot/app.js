// Call page: waveform player (wavesurfer.js, bundled at build time), transcript synchronised with playback,
// jump to evidence and comments, speed control, skip silence, clip start/end from the playhead.
(function () {
  "use strict";
  var audio = document.getElementById("audio");
  if (!audio) return;
  var segments = Array.prototype.slice.call(document.querySelectorAll("#transcript .seg"));
  var clock = document.getElementById("clock");
  var wave = null;
  if (window.WaveSurfer) {
    // The <audio> element stays the media (so the browser streams it with range requests); wavesurfer draws
    // the waveform from the same URL and follows its playhead.
    wave = window.WaveSurfer.create({
      container: "#waveform", media: audio, height: 64, waveColor: "#94a3b8", progressColor: "#2563eb",
      cursorColor: "#dc2626", splitChannels: false, normalize: true
    });
    wave.on("ready", function () { document.getElementById("waveform").setAttribute("data-ready", "true"); });
    wave.load(audio.getAttribute("src"));
  }
  function fmt(t) { var m = Math.floor(t / 60); var s = (t % 60).toFixed(1); return m + ":" + (s < 10 ? "0" : "") + s; }
  function seek(t) { if (isNaN(t)) return; audio.currentTime = t; }
  document.getElementById("play").addEventListener("click", function () { if (audio.paused) audio.play(); else audio.pause(); });
  document.getElementById("speed").addEventListener("change", function (e) { audio.playbackRate = parseFloat(e.target.value); });
  var skip = document.getElementById("skip-silence");
  segments.forEach(function (li) {
    li.addEventListener("click", function () { seek(parseFloat(li.getAttribute("data-start"))); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.jump"), function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); seek(parseFloat(a.getAttribute("data-start"))); audio.play(); });
  });
  audio.addEventListener("timeupdate", function () {
    var t = audio.currentTime;
    clock.textContent = fmt(t);
    var current = null, next = null;
    segments.forEach(function (li) {
      var s = parseFloat(li.getAttribute("data-start")), e = parseFloat(li.getAttribute("data-end"));
      var on = t >= s && t < e;
      li.classList.toggle("playing", on);
      if (on) current = li;
      if (!next && s > t) next = s;
    });
    if (current && !current.dataset.seen) { current.dataset.seen = "1"; current.scrollIntoView({ block: "nearest" }); }
    // Skip silence: between turns with nobody speaking for more than 1.5 s, jump to the next turn.
    if (skip.checked && !current && next !== null && next - t > 1.5 && !audio.paused) seek(next - 0.2);
    var at = document.getElementById("comment-at");
    if (at && document.activeElement !== at) at.value = t.toFixed(1);
  });
  function setFromPlayhead(id) {
    var input = document.getElementById(id);
    if (input) input.value = audio.currentTime.toFixed(1);
    var s = document.getElementById("clip-start"), e = document.getElementById("clip-end"), link = document.getElementById("export-clip");
    if (link && s && e && s.value && e.value) link.href = link.href.split("?")[0] + "?start=" + s.value + "&end=" + e.value;
  }
  var ss = document.getElementById("set-start"), se = document.getElementById("set-end");
  if (ss) ss.addEventListener("click", function () { setFromPlayhead("clip-start"); });
  if (se) se.addEventListener("click", function () { setFromPlayhead("clip-end"); });
  ["clip-start", "clip-end"].forEach(function (id) {
    var input = document.getElementById(id);
    if (input) input.addEventListener("change", function () { setFromPlayhead(null); });
  });
})();
