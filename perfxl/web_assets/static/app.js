// perfxl web page: uploads with per-file progress, and a results table that follows the scoring.
// Everything works without this script too (plain form posts, pages that refresh themselves).
"use strict";

(() => {
  const token = document.querySelector('meta[name="perfxl-token"]').content;
  const SUFFIXES = [".xlsx", ".xlsm", ".xls", ".ods"];

  const form = document.getElementById("upload");
  if (form) setUpUpload(form);
  const run = document.getElementById("run");
  if (run) follow(run);

  /** A workbook worth sending: the suffixes perfxl reads, no Office lock files, no hidden files. */
  function wanted(file) {
    const name = file.name;
    const lower = name.toLowerCase();
    return !name.startsWith("~$") && !name.startsWith(".") && SUFFIXES.some((s) => lower.endsWith(s));
  }

  function setUpUpload(form) {
    const drop = document.getElementById("drop");
    document.getElementById("send").hidden = true;
    for (const id of ["pick-files", "pick-folder"]) {
      const input = document.getElementById(id);
      input.addEventListener("change", () => {
        start(form, Array.from(input.files));
        input.value = "";
      });
    }
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", async (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      start(form, await dropped(event.dataTransfer));
    });
  }

  /** The files of a drop, folders walked (their entries must be taken before any await). */
  async function dropped(transfer) {
    const entries = Array.from(transfer.items || [])
      .map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry())
      .filter(Boolean);
    if (!entries.length) return Array.from(transfer.files);
    const found = [];
    for (const entry of entries) await walk(entry, found);
    return found;
  }

  function walk(entry, found) {
    if (entry.isFile) {
      return new Promise((resolve) => entry.file((file) => { found.push(file); resolve(); }, () => resolve()));
    }
    if (!entry.isDirectory) return Promise.resolve();
    const reader = entry.createReader();
    return new Promise((resolve) => {
      const more = () => reader.readEntries(async (list) => {
        if (!list.length) return resolve();
        for (const child of list) await walk(child, found);
        more();
      }, () => resolve());
      more();
    });
  }

  let busy = false;

  /** Create a run with the chosen options, send the files two at a time, then show the run. */
  async function start(form, files) {
    if (busy) return;
    const chosen = files.filter(wanted);
    const ignored = files.length - chosen.length;
    const note = document.getElementById("progress-note");
    document.getElementById("progress").hidden = false;
    note.classList.remove("error-line");
    if (!chosen.length) {
      note.textContent = "没有找到工作簿（.xlsx、.xlsm、.xls、.ods）";
      return;
    }
    busy = true;
    note.textContent = `${chosen.length} 个工作簿` + (ignored ? `，已略过 ${ignored} 个其他文件` : "");
    const queue = document.getElementById("queue");
    queue.textContent = "";
    const rows = chosen.map((file) => addRow(queue, file));
    let created;
    try {
      created = await post("/runs", options(form));
    } catch (error) {
      note.textContent = error.message;
      note.classList.add("error-line");
      busy = false;
      return;
    }
    let next = 0;
    let lost = 0;
    const sender = async () => {
      while (next < chosen.length) {
        const i = next++;
        if (!(await upload(created.files, chosen[i], rows[i]))) lost++;
      }
    };
    await Promise.all([sender(), sender()]);
    if (!lost) {
      location.href = created.run;
      return;
    }
    const link = document.createElement("a");
    link.href = created.run;
    link.textContent = "查看本批结果";
    note.textContent = `${lost} 个文件没有上传成功。`;
    note.append(link);
    busy = false;
  }

  function options(form) {
    const data = new FormData();
    for (const input of form.querySelectorAll("details input")) {
      if (input.type !== "checkbox" || input.checked) data.append(input.name, input.value);
    }
    return data;
  }

  function addRow(queue, file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.webkitRelativePath || file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = "等待上传";
    li.append(name, bar, state);
    queue.append(li);
    return { li, bar, state };
  }

  /** Send one file; false when it did not reach the server. */
  async function upload(url, file, row) {
    const body = new FormData();
    body.append("files", file, file.name);
    row.state.textContent = "上传中";
    try {
      const data = await post(url, body, (part) => { row.bar.value = Math.round(part * 100); });
      row.bar.value = 100;
      const item = (data.items || [])[0];
      row.state.textContent = item && item.error ? item.error : "已上传，计分中";
      if (item && item.error) row.li.classList.add("failed");
      return true;
    } catch (error) {
      row.state.textContent = error.message;
      row.li.classList.add("failed");
      return false;
    }
  }

  function post(url, body, progress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-Perfxl-Token", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.responseType = "json";
      if (progress) xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
      xhr.onload = () => {
        const data = xhr.response || {};
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new Error(data.error || `上传失败（${xhr.status}）`));
      };
      xhr.onerror = () => reject(new Error("无法连接 perfxl 服务（服务是否已经停止？）"));
      xhr.send(body);
    });
  }

  /** Reload the results table while files are being scored (keeping the chosen sort). */
  function follow(run) {
    const refresh = async () => {
      const section = document.getElementById("results");
      if (!section || section.dataset.pending === "0") return;
      try {
        const response = await fetch(run.dataset.table + location.search);
        if (response.ok) run.innerHTML = await response.text();
      } catch (error) {
        // the server is busy or restarting: try again
      }
      setTimeout(refresh, 700);
    };
    setTimeout(refresh, 400);
  }
})();
