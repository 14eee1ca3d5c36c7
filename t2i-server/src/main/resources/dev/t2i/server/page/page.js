// t2i serve's page. Plain JavaScript, no build step and no external resources; served with a
// Content-Security-Policy that allows only this server's own scripts. Text from the user or the
// server is only ever set as textContent or a form value, never as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $('form');
  const fields = {
    prompt: $('prompt'), negative: $('negative'), seed: $('seed'), steps: $('steps'), cfg: $('cfg'),
    'cfg-interval': $('cfg-interval'), sampler: $('sampler'), n: $('n'), strength: $('strength')
  };
  const ERROR_IDS = ['server', 'prompt', 'negative', 'seed', 'steps', 'cfg', 'cfg-interval', 'sampler', 'n', 'init',
    'generate'];

  let limits = null;        // /health's "limits"
  let modelInfo = null;     // /health's "model"
  let initImage = null;     // {dataUrl, name} of the image-to-image start, or null
  let lastSeed = null;      // the newest image's seed, as a string (seeds are 64-bit)
  let running = false;
  let cancelRequested = false;
  let wake = null;          // resolves the poll loop's wait early (Cancel)
  let previewUrl = null;

  // ---- errors, shown next to what they concern ----

  function clearErrors() {
    for (const id of ERROR_IDS) {
      const e = $(id + '-error');
      e.textContent = '';
      e.hidden = true;
    }
    for (const f of Object.values(fields)) {
      f.removeAttribute('aria-invalid');
    }
  }

  function showError(where, message) {
    const e = $(where + '-error') || $('generate-error');
    e.textContent = message;
    e.hidden = false;
    if (fields[where]) {
      fields[where].setAttribute('aria-invalid', 'true');
    }
  }

  /** The field a server message is about, by the words it uses. */
  function fieldOf(message) {
    const m = message.toLowerCase();
    if (/images times steps|\bsteps\b/.test(m)) return 'steps';
    if (/^'?n'? |images per prompt|at most \d+ images/.test(m)) return 'n';
    if (/negative/.test(m)) return 'negative';
    if (/interval/.test(m)) return 'cfg-interval';
    if (/\bcfg/.test(m)) return 'cfg';
    if (/\bseed\b/.test(m)) return 'seed';
    if (/sampler/.test(m)) return 'sampler';
    if (/strength|initial image|init_image/.test(m)) return 'init';
    if (/prompt|token/.test(m)) return 'prompt';
    return 'generate';
  }

  /** Shows an HTTP error response in words, next to the field or button it concerns. */
  async function showHttpError(res) {
    let message = '';
    try {
      const body = await res.json();
      message = typeof body.error === 'string' ? body.error : (body.error && body.error.message) || '';
    } catch (e) {
      message = '';
    }
    if (!message) {
      message = 'the server answered ' + res.status + ' ' + res.statusText;
    }
    if (res.status === 503) {
      const after = res.headers.get('Retry-After');
      showError('generate', 'The server is busy: ' + message + '. Try again'
          + (after ? ' in ' + after + (after === '1' ? ' second.' : ' seconds.') : ' shortly.'));
    } else if (res.status === 413) {
      const limit = limits ? ' (' + Math.round(limits.max_body_bytes / 1024) + ' KiB on this server)' : '';
      showError(initImage ? 'init' : 'prompt', 'The request is too large' + limit + ': ' + message);
    } else if (res.status === 400) {
      showError(fieldOf(message), message);
    } else if (res.status === 504) {
      showError('generate', 'The generation took too long and was stopped: ' + message);
    } else {
      showError('generate', 'The server answered ' + res.status + ': ' + message);
    }
  }

  // ---- the server's defaults and limits ----

  async function loadServer() {
    let health;
    try {
      const res = await fetch('/health', { cache: 'no-store' });
      if (!res.ok) {
        await showHttpError(res);
        $('model').textContent = 'the server is not ready';
        return;
      }
      health = await res.json();
    } catch (e) {
      showError('server', 'Cannot reach the t2i server: ' + e.message);
      $('model').textContent = 'offline';
      return;
    }
    modelInfo = health.model;
    limits = health.limits;
    fields.steps.value = modelInfo.default_steps;
    fields.steps.max = limits.max_steps;
    fields.cfg.value = modelInfo.default_cfg;
    fields['cfg-interval'].value = modelInfo.default_cfg_interval.join(',');
    const sampler = String(modelInfo.default_sampler);
    if (![...fields.sampler.options].some((o) => o.value === sampler)) {
      const o = document.createElement('option');
      o.value = sampler;
      o.textContent = sampler;
      fields.sampler.appendChild(o);
    }
    fields.sampler.value = sampler;
    fields.n.max = limits.max_n;
    showCaptions(modelInfo.training_captions || []);
    $('limits').textContent = 'Defaults: ' + modelInfo.default_steps + ' steps, cfg ' + modelInfo.default_cfg
        + guidedAt(modelInfo.default_cfg_interval)
        + (modelInfo.default_guide_scale > 1 ? ', autoguidance ' + modelInfo.default_guide_scale : '')
        + ', '
        + sampler + '. This server: steps ≤ ' + limits.max_steps + ', images ≤ ' + limits.max_n
        + ', images × steps ≤ ' + limits.max_images_times_steps + '.';
    const size = modelInfo.image_size + '×' + modelInfo.image_size;
    let name = 'model';
    try {
      const res = await fetch('/v1/models', { cache: 'no-store' });
      if (res.ok) {
        const list = await res.json();
        name = list.data && list.data[0] ? list.data[0].id : name;
      }
    } catch (e) {
      // the name is decoration; /health answered
    }
    $('model').textContent = name + ' · ' + size + ' px';
    $('generate').disabled = false;
    document.body.dataset.ready = 'true';
  }

  // ---- the captions the model was trained on ----

  /** Text as CLIP's tokenizer compares it: case and runs of white space do not matter. */
  const captionKey = (text) => text.trim().replace(/\s+/g, ' ').toLowerCase();
  let captionKeys = new Set();

  /** Offers the training captions in a list that fills the prompt; hidden when there are none. */
  function showCaptions(captions) {
    const list = $('captions');
    list.textContent = '';
    captionKeys = new Set(captions.map(captionKey));
    if (captions.length === 0) {
      list.hidden = true;
      return;
    }
    const first = document.createElement('option');
    first.value = '';
    first.textContent = 'Trained on ' + captions.length + (captions.length === 1 ? ' caption' : ' captions')
        + ': pick one…';
    list.appendChild(first);
    for (const c of captions) {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = c;
      list.appendChild(o);
    }
    list.hidden = false;
    if (fields.prompt.value.trim() === '') {
      fields.prompt.placeholder = captions[0];
    }
    updatePromptHint();
  }

  /**
   * With an untrained text encoder (the offline default) the model has learnt what its training
   * captions mean and nothing else, so a prompt outside them may give noise: say so while typing.
   */
  function updatePromptHint() {
    const hint = $('prompt-hint');
    const text = fields.prompt.value;
    const unknown = modelInfo && modelInfo.untrained_text_encoder && captionKeys.size > 0
        && text.trim() !== '' && !captionKeys.has(captionKey(text));
    hint.textContent = unknown ? 'This model\u2019s text encoder is untrained: it follows the captions it was'
        + ' trained on (the list above); other prompts may not be followed.' : '';
    hint.hidden = !unknown;
  }

  $('captions').addEventListener('change', (e) => {
    if (e.target.value !== '') {
      fields.prompt.value = e.target.value;
      e.target.value = '';
      updatePromptHint();
      fields.prompt.focus();
    }
  });
  fields.prompt.addEventListener('input', updatePromptHint);

  // ---- the request ----

  /** The JSON body, or null after showing what is wrong. The seed goes in verbatim (64-bit). */
  function requestBody() {
    const seed = fields.seed.value.trim();
    if (seed !== '' && !/^-?\d{1,19}$/.test(seed)) {
      showError('seed', 'The seed must be a whole number, or empty for a random one.');
      return null;
    }
    const parts = ['"prompt":' + JSON.stringify(fields.prompt.value)];
    const negative = fields.negative.value;
    if (negative.trim() !== '') {
      parts.push('"negative_prompt":' + JSON.stringify(negative));
    }
    for (const [name, key] of [['steps', 'steps'], ['cfg', 'cfg'], ['n', 'n']]) {
      const text = fields[name].value.trim();
      if (text === '') {
        continue;
      }
      const v = Number(text);
      if (!Number.isFinite(v)) {
        showError(name, 'Give a number.');
        return null;
      }
      parts.push(JSON.stringify(key) + ':' + JSON.stringify(v));
    }
    const interval = fields['cfg-interval'].value.trim();
    if (interval !== '') {
      const times = interval.split(',').map((t) => Number(t.trim()));
      if (times.length !== 2 || !times.every(Number.isFinite)) {
        showError('cfg-interval', 'Give two times from,to between 0 and 1, e.g. 0.2,0.85.');
        return null;
      }
      parts.push('"cfg_interval":' + JSON.stringify(times));
    }
    parts.push('"sampler":' + JSON.stringify(fields.sampler.value));
    if (seed !== '') {
      parts.push('"seed":' + seed);
    }
    if (initImage) {
      parts.push('"init_image":' + JSON.stringify(initImage.dataUrl));
      parts.push('"strength":' + Number(fields.strength.value));
    }
    return '{' + parts.join(',') + '}';
  }

  function setRunning(on) {
    running = on;
    $('generate').disabled = on || !limits;
    $('cancel').hidden = !on;
    $('cancel').disabled = false;
    document.body.dataset.running = on ? 'true' : 'false';
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => { clearTimeout(t); resolve(); };
    });
  }

  async function generate() {
    if (running || !limits) {
      return;
    }
    clearErrors();
    $('load-status').textContent = '';
    const body = requestBody();
    if (body === null) {
      return;
    }
    const settings = {
      prompt: fields.prompt.value, steps: fields.steps.value, cfg: fields.cfg.value,
      sampler: fields.sampler.value, strength: initImage ? fields.strength.value : null
    };
    setRunning(true);
    cancelRequested = false;
    showProgress(0, Number(fields.steps.value) || modelInfo.default_steps, 'waiting for the model…');
    if (window.matchMedia('(max-width: 760px)').matches) {
      $('progress-box').scrollIntoView({ block: 'nearest' }); // one column: the progress is below the form
    }
    try {
      let res;
      try {
        res = await fetch('/v1/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      } catch (e) {
        showError('generate', 'Cannot reach the server: ' + e.message);
        return;
      }
      if (res.status !== 202) {
        await showHttpError(res);
        $('progress-box').hidden = true;
        return;
      }
      const job = await res.json();
      await follow(job, settings);
    } catch (e) {
      showError('generate', 'Something went wrong: ' + e.message);
    } finally {
      setRunning(false);
    }
  }

  function showProgress(step, total, text) {
    $('progress-box').hidden = false;
    $('progress').max = Math.max(1, total);
    $('progress').value = step;
    $('progress-text').textContent = text || ('step ' + step + ' of ' + total);
  }

  /** Polls the job until it ends, updating the progress bar and the preview; Cancel deletes it. */
  async function follow(job, settings) {
    let shownStep = 0;
    let total = job.total_steps || Number(settings.steps) || modelInfo.default_steps;
    for (;;) {
      if (cancelRequested) {
        const res = await fetch(job.url, { method: 'DELETE' });
        if (res.ok) {
          const j = await res.json();
          showProgress(j.step, j.total_steps || total, 'cancelled at step ' + j.step + ' of ' + (j.total_steps || total));
        } else {
          await showHttpError(res);
        }
        return;
      }
      const res = await fetch(job.url, { cache: 'no-store' });
      if (!res.ok) {
        await showHttpError(res);
        return;
      }
      const j = await res.json();
      total = j.total_steps || total;
      if (j.status === 'queued') {
        showProgress(0, total, 'waiting for the model…');
      } else {
        showProgress(j.step, total);
      }
      if (j.step > 0 && j.step !== shownStep && j.status === 'running') {
        shownStep = j.step;
        await loadPreview(job.url + '/preview');
      }
      if (j.status === 'succeeded') {
        showProgress(total, total, 'done: ' + j.images + (j.images === 1 ? ' image' : ' images') + ' in '
            + (j.generation_ms / 1000).toFixed(1) + ' s');
        await addResults(j, settings);
        return;
      }
      if (j.status === 'failed') {
        const message = j.error || 'the generation failed';
        showError(fieldOf(message), message);
        return;
      }
      if (j.status === 'cancelled') {
        showProgress(j.step, total, 'cancelled');
        return;
      }
      await sleep(120);
    }
  }

  async function loadPreview(url) {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) {
      return; // a preview is optional; the job's own status says what went wrong
    }
    const blob = await res.blob();
    if (previewUrl) {
      URL.revokeObjectURL(previewUrl);
    }
    previewUrl = URL.createObjectURL(blob);
    $('preview').src = previewUrl;
    $('preview').hidden = false;
  }

  /** Fetches each image (the same PNG bytes the API returns) and puts them at the gallery's top. */
  async function addResults(job, settings) {
    const items = [];
    for (let i = 0; i < job.image_urls.length; i++) {
      const res = await fetch(job.image_urls[i], { cache: 'no-store' });
      if (!res.ok) {
        await showHttpError(res);
        return;
      }
      const seed = res.headers.get('X-T2i-Seed') || String(job.seeds[i]);
      const blob = await res.blob();
      items.push(galleryItem(URL.createObjectURL(blob), seed, job, settings));
    }
    const gallery = $('gallery');
    for (let i = items.length - 1; i >= 0; i--) {
      gallery.insertBefore(items[i], gallery.firstChild);
    }
    $('empty').hidden = true;
    lastSeed = items.length ? items[0].dataset.seed : lastSeed;
    $('seed-reuse').disabled = lastSeed === null;
    $('preview').hidden = true;
  }

  // ' at t 0.2–0.85' after a guidance scale, or nothing when guided at every step ([0, 1] or unknown)
  function guidedAt(times) {
    return times && times.join(',') !== '0,1' ? ' at t ' + times.join('–') : '';
  }

  function galleryItem(url, seed, job, settings) {
    const li = document.createElement('li');
    li.dataset.seed = seed;
    const img = document.createElement('img');
    img.src = url;
    img.alt = 'generated image, seed ' + seed;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = 'seed ' + seed + ' · ' + job.steps + ' steps · cfg ' + job.cfg + guidedAt(job.cfg_interval)
        + ' · ' + job.sampler
        + (settings.strength !== null ? ' · strength ' + settings.strength : '');
    const prompt = document.createElement('p');
    prompt.className = 'prompt';
    prompt.textContent = settings.prompt;
    const links = document.createElement('div');
    links.className = 'links';
    const download = document.createElement('a');
    download.href = url;
    download.download = 't2i-' + seed + '.png';
    download.textContent = 'Download PNG';
    download.className = 'download';
    const reuse = document.createElement('button');
    reuse.type = 'button';
    reuse.textContent = 'Use seed';
    reuse.addEventListener('click', () => { fields.seed.value = seed; });
    links.append(download, reuse);
    li.append(img, meta, prompt, links);
    return li;
  }

  // ---- PNG parameters (the same as `t2i sample --from`) ----

  /** The text chunks of a PNG (tEXt, zTXt, iTXt), keyword → text. */
  async function pngTexts(buffer) {
    const bytes = new Uint8Array(buffer);
    const signature = [137, 80, 78, 71, 13, 10, 26, 10];
    if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b)) {
      throw new Error('it is not a PNG file');
    }
    const view = new DataView(buffer);
    const latin1 = new TextDecoder('latin1');
    const utf8 = new TextDecoder('utf-8');
    const texts = {};
    for (let at = 8; at + 12 <= bytes.length;) {
      const length = view.getUint32(at);
      const type = latin1.decode(bytes.subarray(at + 4, at + 8));
      const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
      at += 12 + length;
      if (type === 'IEND') {
        break;
      }
      if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') {
        continue;
      }
      const zero = data.indexOf(0);
      if (zero < 0) {
        continue;
      }
      const keyword = latin1.decode(data.subarray(0, zero));
      if (type === 'tEXt') {
        texts[keyword] = latin1.decode(data.subarray(zero + 1));
      } else if (type === 'zTXt') {
        texts[keyword] = latin1.decode(await inflate(data.subarray(zero + 2)));
      } else {
        const compressed = data[zero + 1] === 1;
        const language = data.indexOf(0, zero + 3);
        const translated = data.indexOf(0, language + 1);
        const text = data.subarray(translated + 1);
        texts[keyword] = utf8.decode(compressed ? await inflate(text) : text);
      }
    }
    return texts;
  }

  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** The parameters from t2i's JSON chunk, else from the `parameters` text other tools read too. */
  function parametersOf(texts) {
    if (texts.t2i) {
      const p = JSON.parse(texts.t2i);
      const seed = /"seed"\s*:\s*(-?\d+)/.exec(texts.t2i); // verbatim: seeds are 64-bit
      return {
        prompt: p.prompt, negative: p.negative_prompt || '', seed: seed ? seed[1] : String(p.seed),
        steps: p.steps, cfg: p.cfg_scale, cfgInterval: p.cfg_interval ? p.cfg_interval.join(',') : '0,1',
        sampler: String(p.sampler).toLowerCase(),
        strength: p.strength === undefined ? null : p.strength
      };
    }
    if (texts.parameters) {
      const lines = texts.parameters.split('\n');
      const settingsLine = lines.pop();
      const setting = (name) => {
        const m = new RegExp('(?:^|, )' + name + ': ([^,]*)').exec(settingsLine);
        return m ? m[1].trim() : null;
      };
      if (setting('Steps') === null) {
        return null;
      }
      let negative = '';
      const at = lines.findIndex((l) => l.startsWith('Negative prompt: '));
      if (at >= 0) {
        negative = lines.splice(at).join('\n').substring('Negative prompt: '.length);
      }
      const strength = setting('Denoising strength');
      return {
        prompt: lines.join('\n'), negative, seed: setting('Seed'), steps: Number(setting('Steps')),
        cfg: Number(setting('CFG scale')), sampler: String(setting('Sampler')).toLowerCase(),
        cfgInterval: setting('CFG interval') === null ? '0,1' : setting('CFG interval').replace('-', ','),
        strength: strength === null ? null : Number(strength)
      };
    }
    return null;
  }

  async function fillFrom(file) {
    clearErrors();
    const status = $('load-status');
    let p;
    try {
      p = parametersOf(await pngTexts(await file.arrayBuffer()));
    } catch (e) {
      showError('generate', 'Cannot read ' + file.name + ': ' + e.message + '.');
      return;
    }
    if (!p) {
      showError('generate', file.name + ' has no t2i parameters (only PNGs written by t2i carry them;'
          + ' image editors may strip them). To start from it, drop it on “Image to image”.');
      return;
    }
    fields.prompt.value = p.prompt;
    updatePromptHint();
    fields.negative.value = p.negative;
    fields.seed.value = p.seed;
    fields.steps.value = p.steps;
    fields.cfg.value = p.cfg;
    fields['cfg-interval'].value = p.cfgInterval;
    if (![...fields.sampler.options].some((o) => o.value === p.sampler)) {
      const o = document.createElement('option');
      o.value = p.sampler;
      o.textContent = p.sampler;
      fields.sampler.appendChild(o);
    }
    fields.sampler.value = p.sampler;
    fields.n.value = 1;
    if (p.strength !== null) {
      fields.strength.value = p.strength;
      $('strength-value').textContent = String(p.strength);
    }
    status.textContent = 'Filled in from ' + file.name + ' (seed ' + p.seed + ')'
        + (p.strength !== null ? '; it was made from an initial image: choose it again for image-to-image.' : '.');
  }

  // ---- image to image ----

  function readDataUrl(blob) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result);
      r.onerror = () => reject(r.error || new Error('cannot read the file'));
      r.readAsDataURL(blob);
    });
  }

  /** The image scaled to the model's size in the browser (the server would scale it so too). */
  function scaled(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        const size = modelInfo.image_size;
        const canvas = document.createElement('canvas');
        canvas.width = size;
        canvas.height = size;
        canvas.getContext('2d').drawImage(img, 0, 0, size, size);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL('image/png'));
      };
      img.onerror = () => {
        URL.revokeObjectURL(url);
        reject(new Error('the browser cannot decode it'));
      };
      img.src = url;
    });
  }

  async function setInit(file) {
    clearErrors();
    if (!/^image\/(png|jpeg)$/.test(file.type)) {
      showError('init', file.name + ' is not a PNG or JPEG image.');
      return;
    }
    let dataUrl;
    let note = '';
    try {
      dataUrl = await readDataUrl(file);
      const room = limits ? limits.max_body_bytes - 4096 : Infinity;
      if (dataUrl.length > room) {
        dataUrl = await scaled(file);
        note = ' (scaled to ' + modelInfo.image_size + ' px here to fit the server\u2019s '
            + Math.round(limits.max_body_bytes / 1024) + ' KiB request limit)';
      }
    } catch (e) {
      showError('init', 'Cannot read ' + file.name + ': ' + e.message + '.');
      return;
    }
    initImage = { dataUrl, name: file.name };
    $('init-preview').src = dataUrl;
    $('init-preview').hidden = false;
    $('init-label').textContent = file.name + note;
    $('init-clear').hidden = false;
    fields.strength.disabled = false;
  }

  function clearInit() {
    initImage = null;
    $('init-preview').hidden = true;
    $('init-preview').removeAttribute('src');
    $('init-label').textContent = 'Drop an image here or';
    $('init-clear').hidden = true;
    fields.strength.disabled = true;
    $('init-file').value = '';
  }

  // ---- wiring ----

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    generate();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      generate();
    }
  });
  $('cancel').addEventListener('click', () => {
    cancelRequested = true;
    $('cancel').disabled = true;
    $('progress-text').textContent = 'cancelling…';
    if (wake) {
      wake();
    }
  });
  $('seed-random').addEventListener('click', () => { fields.seed.value = ''; });
  $('seed-reuse').addEventListener('click', () => {
    if (lastSeed !== null) {
      fields.seed.value = lastSeed;
    }
  });
  fields.strength.addEventListener('input', () => { $('strength-value').textContent = fields.strength.value; });
  $('init-file').addEventListener('change', (e) => {
    if (e.target.files[0]) {
      setInit(e.target.files[0]);
    }
  });
  $('init-clear').addEventListener('click', clearInit);
  $('params-file').addEventListener('change', (e) => {
    if (e.target.files[0]) {
      fillFrom(e.target.files[0]);
    }
    e.target.value = '';
  });

  // Drops: on "Image to image" the file becomes the initial image; anywhere else a t2i PNG fills the form.
  const overlay = $('drop-overlay');
  const initDrop = $('init-drop');
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) {
      return;
    }
    e.preventDefault();
    const onInit = initDrop.contains(e.target);
    initDrop.classList.toggle('over', onInit);
    overlay.hidden = onInit;
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) {
      overlay.hidden = true;
      initDrop.classList.remove('over');
    }
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) {
      return;
    }
    e.preventDefault();
    overlay.hidden = true;
    initDrop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (!file) {
      return;
    }
    if (initDrop.contains(e.target)) {
      setInit(file);
    } else {
      fillFrom(file);
    }
  });

  loadServer();
})();
