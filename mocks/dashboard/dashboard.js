// The usermock dashboard: what the mock holds per API and session, the requests it answers (live,
// over Server-Sent Events), and the controls a frontend developer reaches for (reset, credentials,
// scenarios). Plain DOM, no framework and no network beyond the mock's own origin. Every piece of
// data reaches the page through textContent or attributes, never as HTML.

const CONTROL = '/__usermock/';
const SESSION_HEADER = 'x-usermock-session';
const DEFAULT_SESSION = 'default';
/** Rows a data table renders; a larger one (`--users 10000`) shows its first rows and the search narrows it. */
const RECORDS_SHOWN = 200;
/** Entries the page keeps, as the mock's own journal does. */
const JOURNAL_KEPT = 1000;
/** Entries the journal table renders. */
const JOURNAL_SHOWN = 300;
/** How long after a write the tables are refreshed: a burst of writes costs one refresh. */
const REFRESH_DELAY_MS = 300;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The journal table's columns (index.html), which an explanation row spans. */
const JOURNAL_COLUMNS = 6;
/**
 * How often the page asks the mock what changed without a request in the journal: another
 * client's reset, its scenarios added or cleared, `mock.addUser()`. Only while the page is shown
 * and its event stream is up; each look costs two small answers (`limits`, `overrides`).
 */
const WATCH_MS = 2000;
/** Records at most this large are re-read on every look (a change that keeps the counts shows too); larger ones when the counts change. */
const RECORDS_WATCHED_BYTES = 256 * 1024;
const NO_RECORD = 'Click a row to see its JSON.';

const $ = (id) => document.getElementById(id);

const view = {
  /** `GET /__usermock/apis`: each API's name, kinds of record and operations. */
  apis: [],
  session: DEFAULT_SESSION,
  /** The API whose tables and credentials are shown. */
  api: undefined,
  /** `GET /__usermock/records` for the session: `{ [api]: { [kind]: rows } }`. */
  records: {},
  /** `GET /__usermock/credentials` for the session. */
  credentials: {},
  /** Sessions the mock holds (`GET /__usermock/limits`). */
  sessions: [DEFAULT_SESSION],
  /** The sessions the pickers list, joined: they are rebuilt only when it changes. */
  sessionsShown: undefined,
  /** Journal entries, oldest first. */
  journal: [],
  /** Entries from the event stream not yet shown. */
  incoming: [],
  /** While the journal is being (re)loaded, incoming entries wait, so none is lost or shown twice. */
  journalLoading: false,
  /** The session's record counts (`GET /__usermock/limits`) when its records were last read, and their JSON. */
  recordsSignature: undefined,
  recordsText: undefined,
  /** The record shown as JSON: its API, kind and key (`recordKey`). */
  selected: undefined,
  /** The overrides listed, as JSON. */
  overridesText: undefined,
  /** The override the status message describes (`Scenario on: …`), which it follows until spent or cleared. */
  announced: undefined,
};

// Small helpers.

/** An element with attributes and children; strings become text nodes, so data is never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

function say(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.dataset.kind = kind;
  view.announced = undefined;
}

/** Runs an action from an event handler: a failure is shown on the page, never left as an unhandled rejection. */
function run(action) {
  Promise.resolve()
    .then(action)
    .catch((error) => say(error.message, 'error'));
}

/** Calls `action` once, `delay` ms after the first of any number of calls. */
function soon(action, delay = REFRESH_DELAY_MS) {
  let timer;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      run(action);
    }, delay);
  };
}

/** Only the last call's answer counts: an older request that answers late is dropped. */
function latestOnly(load) {
  let latest = 0;
  return async () => {
    const call = ++latest;
    const result = await load();
    return { current: call === latest, result };
  };
}

function sessionHeaders(session = view.session) {
  // The default session is the one without the header.
  return session === DEFAULT_SESSION ? {} : { [SESSION_HEADER]: session };
}

/** A control endpoint; by default for the selected session. Its text is the error when it refuses; `raw`: the answer's text, unparsed. */
async function control(path, { method = 'GET', headers = sessionHeaders(), body, raw = false } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(CONTROL + path, init);
  const text = await response.text();
  if (!response.ok) throw new Error(text.trim() || `${method} ${CONTROL}${path} answered ${response.status}`);
  if (raw) return text;
  return text === '' ? undefined : JSON.parse(text);
}

function fillSelect(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(({ value, label }) => el('option', { value }, label)));
  if (options.some((option) => option.value === chosen)) select.value = chosen;
}

// Sessions.

async function loadSessions() {
  showSessions(await control('limits', { headers: {} }));
}

/** The sessions `GET /__usermock/limits` lists, into the pickers. */
function showSessions(limits) {
  const sessions = [DEFAULT_SESSION, ...Object.keys(limits.users.used).filter((name) => name !== DEFAULT_SESSION)];
  // Unchanged, the pickers are left alone: rebuilding an open <select> would close it under the pointer.
  if (view.sessionsShown === sessions.join('\n')) return;
  view.sessionsShown = sessions.join('\n');
  view.sessions = sessions;
  renderSessionPicker();
  fillSessionFilter();
}

/** The session's record counts: they change with a write, and with a reset that undoes one. */
const countsOf = (limits, session) => JSON.stringify(limits.users.used[session] ?? null);

const sessionsSoon = soon(loadSessions);

function renderSessionPicker() {
  const names = view.sessions.includes(view.session) ? view.sessions : [...view.sessions, view.session];
  fillSelect(
    $('session'),
    names.map((name) => ({ value: name, label: name })),
  );
  $('session').value = view.session;
  $('reset-session').textContent = `Reset session “${view.session}”`;
}

async function selectSession(name) {
  if (view.announced) say('');
  view.session = name;
  renderSessionPicker();
  clearRecord();
  await loadSessionData();
}

function loadSessionData() {
  return Promise.all([loadRecords(), loadCredentials(), loadOverrides()]);
}

// Data tables.

// The counts first: a write between the two reads makes them differ from the next look's, which reads the records again.
const fetchRecords = latestOnly(async () => {
  const session = view.session;
  const signature = countsOf(await control('limits', { headers: {} }), session);
  return { session, signature, text: await control('records', { raw: true }) };
});

async function loadRecords() {
  const { current, result } = await fetchRecords();
  if (!current || result.session !== view.session) return;
  view.recordsSignature = result.signature;
  if (result.text === view.recordsText) return;
  view.recordsText = result.text;
  view.records = JSON.parse(result.text);
  renderTables();
}

const recordsSoon = soon(loadRecords);

async function loadCredentials() {
  view.credentials = await control('credentials');
  renderCredentials();
}

function renderApiSwitch() {
  const buttons = view.apis.map(({ name }) => {
    const button = el('button', { type: 'button', 'aria-pressed': String(name === view.api) }, name);
    button.addEventListener('click', () => showApi(name));
    return button;
  });
  $('api-switch').replaceChildren(...buttons);
}

function showApi(name) {
  view.api = name;
  renderApiSwitch();
  renderCredentials();
  buildTables();
}

function renderCredentials() {
  const credentials = view.credentials[view.api] ?? {};
  const buttons = Object.entries(credentials).map(([role, value]) => {
    const button = el('button', { type: 'button' }, `Copy ${role} header`);
    button.addEventListener('click', () => run(() => copyHeader(`${view.api} ${role}`, `Authorization: ${value}`)));
    return button;
  });
  $('credentials').replaceChildren(...buttons);
}

async function copyHeader(what, header) {
  const copied = await copyText(header);
  say(copied ? `Copied the ${what} Authorization header.` : `Copy it yourself: ${header}`, copied ? 'info' : 'error');
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API off a secure context (the mock on a LAN address), or no permission for it.
    return copyWithSelection(text);
  }
}

function copyWithSelection(text) {
  const focused = document.activeElement;
  const area = el('textarea', { readonly: true, 'aria-hidden': 'true', class: 'offscreen' });
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  focused?.focus();
  return copied;
}

/** One table per kind of record (users, groups …), each with its search box, kept while only the rows change. */
const tableViews = new Map();

function kindsOf(api) {
  const described = view.apis.find((candidate) => candidate.name === api)?.kinds ?? [];
  return [...new Set([...described, ...Object.keys(view.records[api] ?? {})])];
}

function buildTables() {
  tableViews.clear();
  const sections = kindsOf(view.api).map((kind) => {
    const tableView = buildTable(view.api, kind);
    tableViews.set(kind, tableView);
    return tableView.section;
  });
  $('tables').replaceChildren(...sections);
  renderTables();
}

function buildTable(api, kind) {
  const search = el('input', { type: 'search', placeholder: `Search ${kind}…`, 'aria-label': `Search ${api} ${kind}` });
  const caption = el('caption');
  const head = el('thead');
  const body = el('tbody');
  const table = el('table', { class: 'records' }, caption, head, body);
  const note = el('p', { class: 'note' });
  // The box scrolls sideways when the table is wider than the panel, and takes focus so the arrow keys scroll it too.
  const scroller = el('div', { class: 'scroll data', tabindex: 0, role: 'region', 'aria-label': `${api} ${kind} table` }, table);
  const section = el('section', { class: 'kind' }, el('h3', {}, kind), search, scroller, note);
  const tableView = { api, kind, search, caption, head, body, note, section, rows: new WeakMap(), keys: new WeakMap() };
  search.addEventListener('input', () => renderTable(tableView));
  body.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row && tableView.rows.has(row)) showRecord(tableView, row);
  });
  body.addEventListener('keydown', (event) => moveBetweenRows(body, event));
  body.addEventListener('focusin', (event) => event.target.matches('.row-button') && makeTabStop(body, event.target));
  return tableView;
}

const ROW_STEPS = { ArrowDown: 1, ArrowUp: -1 };

/** The arrow keys move between a table's rows, so Tab passes a table in one step rather than one per row. */
function moveBetweenRows(body, event) {
  const step = ROW_STEPS[event.key];
  if (step === undefined || !event.target.matches('.row-button')) return;
  const buttons = [...body.querySelectorAll('.row-button')];
  const next = buttons[buttons.indexOf(event.target) + step];
  if (!next) return;
  event.preventDefault();
  next.focus();
}

function makeTabStop(body, button) {
  for (const other of body.querySelectorAll('.row-button[tabindex="0"]')) other.tabIndex = -1;
  button.tabIndex = 0;
}

function renderTables() {
  if (kindsOf(view.api).some((kind) => !tableViews.has(kind))) {
    buildTables();
    return;
  }
  for (const tableView of tableViews.values()) renderTable(tableView);
}

/** Lower-cased JSON per record, computed once: searching 10,000 rows re-serialises none. */
const searchText = new WeakMap();

function matchesSearch(record, query) {
  if (query === '') return true;
  if (!searchText.has(record)) searchText.set(record, JSON.stringify(record).toLowerCase());
  return searchText.get(record).includes(query);
}

function renderTable(tableView) {
  const records = view.records[tableView.api]?.[tableView.kind] ?? [];
  const query = tableView.search.value.trim().toLowerCase();
  const matching = records.filter((record) => matchesSearch(record, query));
  const columns = columnsOf(records);
  tableView.caption.textContent = `${tableView.api} ${tableView.kind} (${matching.length} of ${records.length})`;
  tableView.head.replaceChildren(el('tr', {}, ...columns.map((column) => el('th', { scope: 'col' }, column))));
  tableView.body.replaceChildren(...matching.slice(0, RECORDS_SHOWN).map((record) => recordRow(tableView, record, columns)));
  const first = tableView.body.querySelector('.row-button');
  if (first) first.tabIndex = 0;
  tableView.note.textContent = matching.length > RECORDS_SHOWN ? `The first ${RECORDS_SHOWN} are shown: search to find the others.` : '';
  followSelected(tableView, records, columns);
}

/** The fields of the first rows, in their order; a row that is not an object is one value. */
function columnsOf(records) {
  const columns = new Set();
  for (const record of records.slice(0, 50)) {
    if (record !== null && typeof record === 'object' && !Array.isArray(record)) Object.keys(record).forEach((key) => columns.add(key));
    else columns.add('value');
  }
  return [...columns];
}

function cellValue(record, column) {
  const value =
    record !== null && typeof record === 'object' && !Array.isArray(record) ? record[column] : column === 'value' ? record : undefined;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** What identifies a record across reads: its `id`, else its first field (a group's name), else the value itself. */
function recordKey(record, columns) {
  const isRecord = record !== null && typeof record === 'object' && !Array.isArray(record);
  return JSON.stringify(isRecord ? ('id' in record ? ['id', record.id] : [columns[0], record[columns[0]]]) : record);
}

function recordRow(tableView, record, columns) {
  const cells = columns.map((column, index) => {
    const text = cellValue(record, column);
    // The first cell is a real button, so a keyboard reaches every row's JSON too (Tab to the table, then the arrows).
    const content =
      index === 0
        ? el(
            'button',
            {
              type: 'button',
              class: 'row-button',
              tabindex: -1,
              'aria-keyshortcuts': 'ArrowUp ArrowDown',
              'aria-label': `Show ${tableView.kind} ${text || 'row'} as JSON`,
            },
            text || '—',
          )
        : el('span', { class: 'cell' }, text);
    return el('td', { title: text.length > 24 ? text : undefined }, content);
  });
  const row = el('tr', {}, ...cells);
  tableView.rows.set(row, record);
  tableView.keys.set(row, recordKey(record, columns));
  return row;
}

function showRecord(tableView, row) {
  const record = tableView.rows.get(row);
  view.selected = { api: tableView.api, kind: tableView.kind, key: tableView.keys.get(row) };
  markSelected(row);
  $('record-title').textContent = `Selected record: ${tableView.api} ${tableView.kind}`;
  $('record-json').textContent = JSON.stringify(record, null, 2);
}

function markSelected(row) {
  for (const selected of document.querySelectorAll('tr[aria-current="true"]')) selected.removeAttribute('aria-current');
  row?.setAttribute('aria-current', 'true');
}

/** No record shown: after a reset (ours or another client's), a session switch, or when the record is gone. */
function clearRecord() {
  view.selected = undefined;
  markSelected(undefined);
  $('record-title').textContent = 'Selected record';
  $('record-json').textContent = NO_RECORD;
}

/**
 * The record shown, as the session now holds it: its row marked again, its JSON updated, or — once
 * a reset or a delete removed it — no longer shown.
 */
function followSelected(tableView, records, columns) {
  const selected = view.selected;
  if (!selected || selected.api !== tableView.api || selected.kind !== tableView.kind) return;
  const record = records.find((candidate) => recordKey(candidate, columns) === selected.key);
  if (record === undefined) {
    clearRecord();
    return;
  }
  markSelected([...tableView.body.rows].find((row) => tableView.keys.get(row) === selected.key));
  const json = JSON.stringify(record, null, 2);
  if ($('record-json').textContent !== json) $('record-json').textContent = json;
}

// Scenarios (overrides).

function operationsOf(api) {
  return view.apis.find((candidate) => candidate.name === api)?.operations ?? [];
}

function fillScenarioApis() {
  fillSelect(
    $('scenario-api'),
    view.apis.map(({ name }) => ({ value: name, label: name })),
  );
  fillScenarioOperations();
}

function fillScenarioOperations() {
  fillSelect(
    $('scenario-operation'),
    operationsOf($('scenario-api').value).map(({ id, method, path }) => ({ value: id, label: `${id} (${method} ${path})` })),
  );
  fillScenarioAnswers();
}

/** What the operation can be made to answer: each documented error status, an empty list where it answers one, or a slow answer. */
function fillScenarioAnswers() {
  const operation = operationsOf($('scenario-api').value).find(({ id }) => id === $('scenario-operation').value);
  const errors = (operation?.statuses ?? []).filter((status) => status >= 400);
  fillSelect($('scenario-answer'), [
    ...errors.map((status) => ({ value: `status:${status}`, label: `${status} error` })),
    ...(operation?.canBeEmpty ? [{ value: 'empty', label: 'empty list' }] : []),
    { value: 'slow', label: 'slow answer' },
  ]);
  showAnswerFields();
}

/** Only the fields the chosen answer takes: the delay for a slow answer (an error or an empty list is answered at once). */
function showAnswerFields() {
  const slow = $('scenario-answer').value === 'slow';
  const delay = $('scenario-delay');
  delay.closest('.field').hidden = !slow;
  delay.disabled = !slow;
  delay.required = slow;
}

function scenarioRequest() {
  const answer = $('scenario-answer').value;
  const request = { api: $('scenario-api').value, operationId: $('scenario-operation').value };
  if (answer.startsWith('status:')) request.status = Number(answer.slice('status:'.length));
  else if (answer === 'empty') request.empty = true;
  else request.delay = Number($('scenario-delay').value);
  const times = $('scenario-times').value;
  if (times !== '') request.times = Number(times);
  return request;
}

async function applyScenario() {
  const session = view.session;
  const override = await control('overrides', { method: 'POST', body: scenarioRequest() });
  say(`Scenario on: ${describeOverride(override)}.`);
  view.announced = { id: override.id, session };
  await loadOverrides();
}

const fetchOverrides = latestOnly(() => control('overrides'));

async function loadOverrides() {
  const session = view.session;
  const { current, result } = await fetchOverrides();
  if (current && session === view.session) renderOverrides(result);
}

const overridesSoon = soon(loadOverrides);

function describeOverride({ api, operationId, status, empty, delay, remaining }) {
  const answer = [status !== undefined && `${status}`, empty && 'empty list', delay !== undefined && `${delay} ms late`].filter(Boolean);
  const lasting = remaining === undefined ? 'until cleared' : `${remaining} more`;
  return `${api} ${operationId} → ${answer.join(', ')} (${lasting})`;
}

function renderOverrides(overrides) {
  followAnnounced(overrides);
  // Unchanged, the list is left alone, and so is the focus on its buttons.
  const text = JSON.stringify(overrides);
  if (text === view.overridesText) return;
  view.overridesText = text;
  const items = overrides.map((override) => {
    const description = describeOverride(override);
    const clear = el('button', { type: 'button', 'aria-label': `Clear ${description}` }, 'Clear');
    clear.addEventListener('click', () => run(() => clearOverride(override.id)));
    return el('li', {}, el('span', {}, description), clear);
  });
  $('overrides').replaceChildren(
    ...(items.length > 0 ? items : [el('li', { class: 'note' }, 'None: every operation answers as its API does.')]),
  );
  $('clear-overrides').disabled = items.length === 0;
}

/** The status message about a scenario just applied follows it: its answers left, and gone once it is spent or cleared. */
function followAnnounced(overrides) {
  const announced = view.announced;
  if (!announced || announced.session !== view.session) return;
  const override = overrides.find(({ id }) => id === announced.id);
  if (override === undefined) {
    say('');
    return;
  }
  say(`Scenario on: ${describeOverride(override)}.`);
  view.announced = announced;
}

async function clearOverride(id) {
  await control(`overrides/${encodeURIComponent(id)}`, { method: 'DELETE' });
  say('Scenario cleared.');
  await loadOverrides();
}

async function clearAllOverrides() {
  await control('overrides', { method: 'DELETE' });
  say('Every scenario of the session cleared.');
  await loadOverrides();
}

// Resets.

async function resetSession() {
  // The header even for the default session: without it, a reset is every session's.
  await control('reset', { method: 'POST', headers: { [SESSION_HEADER]: view.session } });
  clearRecord();
  say(`Session “${view.session}” is back to its seeded state.`);
  await Promise.all([loadSessions(), loadSessionData()]);
}

async function resetAll() {
  await control('reset', { method: 'POST', headers: {} });
  clearRecord();
  say('Every session is back to its seeded state; the journal is empty.');
  // The named sessions are gone: back to the default one (selectSession switches before it awaits).
  await Promise.all([selectSession(DEFAULT_SESSION), loadSessions(), reloadJournal()]);
}

// The request journal.

function journalFilters() {
  return { api: $('filter-api').value, status: $('filter-status').value, session: $('filter-session').value };
}

function matchesFilters(entry, filters) {
  if (filters.api === '-' ? entry.api !== undefined : filters.api !== '' && entry.api !== filters.api) return false;
  if (filters.status !== '' && String(entry.status)[0] !== filters.status) return false;
  return filters.session === '' || entry.session === filters.session;
}

function fillApiFilter() {
  fillSelect($('filter-api'), [
    { value: '', label: 'all' },
    ...view.apis.map(({ name }) => ({ value: name, label: name })),
    { value: '-', label: 'none (no API owns the path)' },
  ]);
}

function fillSessionFilter() {
  const seen = new Set([...view.sessions, ...view.journal.map((entry) => entry.session)]);
  fillSelect($('filter-session'), [{ value: '', label: 'all' }, ...[...seen].map((name) => ({ value: name, label: name }))]);
}

const entryKey = (entry) => `${entry.time} ${entry.session} ${entry.method} ${entry.path} ${entry.status} ${entry.duration}`;

/** The journal as the mock holds it; entries streamed meanwhile are kept unless the list already has them. */
async function reloadJournal() {
  view.journalLoading = true;
  try {
    const listed = await control('requests', { headers: {} });
    const keys = new Set(listed.map(entryKey));
    view.incoming = view.incoming.filter((entry) => !keys.has(entryKey(entry)));
    view.journal = listed.slice(-JOURNAL_KEPT);
    fillSessionFilter();
    renderJournal();
  } finally {
    view.journalLoading = false;
    scheduleIncoming();
  }
}

function renderJournal() {
  const filters = journalFilters();
  const shown = [];
  for (let index = view.journal.length - 1; index >= 0 && shown.length < JOURNAL_SHOWN; index--) {
    if (matchesFilters(view.journal[index], filters)) shown.push(journalEntry(view.journal[index]));
  }
  const table = $('journal-table');
  for (const entry of [...table.tBodies]) entry.remove();
  table.append(...shown);
  renderJournalCaption();
}

function renderJournalCaption() {
  const count = $('journal-table').tBodies.length;
  $('journal-caption').textContent = `Requests, newest first: ${count} shown of ${view.journal.length} kept`;
}

/** One entry as its own row group: the request, and under it in plain words how it broke the spec, if it did. */
function journalEntry(entry) {
  const violations = entry.violations ?? [];
  const operation = el('td', { class: 'operation' }, [entry.api, entry.operation].filter(Boolean).join(' '));
  if (entry.override !== undefined) operation.append(' ', el('span', { class: 'tag', title: `override ${entry.override}` }, 'scenario'));
  const request = el(
    'tr',
    {},
    el('td', {}, el('time', { datetime: entry.time }, new Date(entry.time).toLocaleTimeString())),
    el('td', {}, el('span', { class: `code s${String(entry.status)[0]}` }, String(entry.status))),
    el('td', { class: 'request' }, `${entry.method} ${entry.path}`),
    el('td', { class: 'number' }, String(Math.round(entry.duration))),
    operation,
    el('td', {}, entry.session),
  );
  if (violations.length === 0) return el('tbody', {}, request);
  const explanation = el(
    'td',
    { colspan: JOURNAL_COLUMNS, class: 'violations' },
    el('strong', {}, '⚠ breaks the spec: '),
    el('ul', {}, ...violations.map((violation) => el('li', {}, violation))),
  );
  return el('tbody', { class: 'violated' }, request, el('tr', {}, explanation));
}

let incomingFrame;

function receive(entry) {
  view.incoming.push(entry);
  // A hidden page gets no animation frames: keep only what it could ever show.
  if (view.incoming.length > JOURNAL_KEPT) view.incoming.splice(0, view.incoming.length - JOURNAL_KEPT);
  scheduleIncoming();
}

function scheduleIncoming() {
  if (incomingFrame === undefined && !view.journalLoading && view.incoming.length > 0) {
    incomingFrame = requestAnimationFrame(showIncoming);
  }
}

/** Shows what arrived since the last frame at once: a busy mock costs the page one update a frame. */
function showIncoming() {
  incomingFrame = undefined;
  const batch = view.incoming.splice(0);
  view.journal.push(...batch);
  if (view.journal.length > JOURNAL_KEPT) view.journal.splice(0, view.journal.length - JOURNAL_KEPT);
  const filters = journalFilters();
  const table = $('journal-table');
  for (const entry of batch) {
    if (matchesFilters(entry, filters)) table.tHead.after(journalEntry(entry));
  }
  while (table.tBodies.length > JOURNAL_SHOWN) table.tBodies[table.tBodies.length - 1].remove();
  renderJournalCaption();
  reactToEntries(batch);
}

/**
 * A write in the selected session changes its tables; any request there may have used up an
 * override, or follow one a test made (control calls are not journalled); a new session joins the pickers.
 */
function reactToEntries(entries) {
  const own = entries.filter((entry) => entry.session === view.session);
  if (own.some((entry) => !READ_METHODS.has(entry.method))) recordsSoon();
  if (own.length > 0) overridesSoon();
  if (entries.some((entry) => !view.sessions.includes(entry.session))) sessionsSoon();
}

// What the journal does not show: the control endpoints are not journalled, so another client's
// reset, its scenarios and `mock.addUser()` reach the page only by asking.

let watchTimer;

function startWatching() {
  stopWatching();
  watchTimer = setInterval(() => document.visibilityState === 'visible' && watchOnce(), WATCH_MS);
}

function stopWatching() {
  clearInterval(watchTimer);
  watchTimer = undefined;
}

let watching = false;

/** One look: the sessions, the session's record counts (its records again if they changed, or are small), its scenarios. */
async function watchOnce() {
  if (watching) return;
  watching = true;
  try {
    const limits = await control('limits', { headers: {} });
    showSessions(limits);
    const small = view.recordsText !== undefined && view.recordsText.length <= RECORDS_WATCHED_BYTES;
    if (small || countsOf(limits, view.session) !== view.recordsSignature) recordsSoon();
    await loadOverrides();
  } catch {
    // The mock is gone or refuses: the event stream says so, and its reconnection starts the looks again.
    stopWatching();
  } finally {
    watching = false;
  }
}

function connectEvents() {
  const source = new EventSource(`${CONTROL}events`);
  const live = $('live');
  // Also on every reconnection: what happened while the stream was down is in the mock's journal.
  source.addEventListener('open', () => {
    live.textContent = 'live';
    live.dataset.state = 'live';
    run(reloadJournal);
    startWatching();
  });
  source.addEventListener('request', (event) => receive(JSON.parse(event.data)));
  source.addEventListener('error', () => {
    live.textContent = source.readyState === EventSource.CLOSED ? 'disconnected (reload the page)' : 'reconnecting…';
    live.dataset.state = 'down';
    stopWatching();
  });
}

// Start.

function wireControls() {
  $('session').addEventListener('change', (event) => run(() => selectSession(event.target.value)));
  $('reset-session').addEventListener('click', () => run(resetSession));
  $('reset-all').addEventListener('click', () => run(resetAll));
  $('scenario-api').addEventListener('change', fillScenarioOperations);
  $('scenario-operation').addEventListener('change', fillScenarioAnswers);
  $('scenario-answer').addEventListener('change', showAnswerFields);
  $('scenario-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(applyScenario);
  });
  $('clear-overrides').addEventListener('click', () => run(clearAllOverrides));
  for (const filter of ['filter-api', 'filter-status', 'filter-session']) $(filter).addEventListener('change', renderJournal);
  // Back to a hidden tab: look at once rather than at the next tick.
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && watchTimer !== undefined && watchOnce());
}

async function start() {
  wireControls();
  view.apis = await control('apis', { headers: {} });
  view.api = view.apis[0]?.name;
  renderApiSwitch();
  fillScenarioApis();
  fillApiFilter();
  await loadSessions();
  await loadSessionData();
  connectEvents();
}

run(start);
