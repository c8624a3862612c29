// The report job page follows its job without reloading: it asks /reports/<id>/
// for JSON every few seconds and shows the progress, then the download link.
(() => {
  const box = document.getElementById("report-job");
  if (!box || ["done", "failed"].includes(box.dataset.status)) return;
  const progress = document.getElementById("job-progress");
  const status = box.querySelector("[data-job-status] .report-status");
  const waiting = box.querySelector("[data-job-waiting]");
  const download = box.querySelector("[data-job-download]");
  let delay = 1000;

  async function poll() {
    let state;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(response.status);
      state = await response.json();
    } catch (error) {
      delay = Math.min(delay * 2, 15000); // the server is busy or away: ask less often
      window.setTimeout(poll, delay);
      return;
    }
    progress.value = state.progress;
    progress.textContent = `${state.progress}%`;
    status.textContent = state.status_display;
    status.className = `badge report-status report-status-${state.status}`;
    if (state.status === "done" && state.download_url) {
      progress.hidden = true;
      waiting.hidden = true;
      download.hidden = false;
      download.querySelector("a").href = state.download_url;
    } else if (state.status === "failed") {
      window.location.reload(); // the page explains the error and offers to try again
    } else {
      delay = Math.min(delay + 500, 3000);
      window.setTimeout(poll, delay);
    }
  }
  window.setTimeout(poll, delay);
})();
