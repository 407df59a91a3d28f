// FhirMmn's operations page: the messages API (docs/operations.md) behind a static page. No build step, no
// dependencies. Everything shown is written with textContent (never as HTML). The token, when the service needs
// one, is kept in this tab's sessionStorage and sent only to this origin.
'use strict';

const tokenKey = 'fhirmmn.token';
const $ = (id) => document.getElementById(id);
let shown = null;

function token() { return sessionStorage.getItem(tokenKey); }

async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.body) headers['Content-Type'] = 'application/json';
  if (token()) headers.Authorization = 'Bearer ' + token();
  const response = await fetch(path, { method: options.method || 'GET', headers, body: options.body, cache: 'no-store', credentials: 'omit' });
  if (response.status === 401 || response.status === 403) {
    showLogin(response.status === 403 ? 'This token lacks the operator role for this feed.' : null);
    throw new Error('unauthorised');
  }
  const body = await response.json();
  if (!response.ok) {
    const issue = body.issue && body.issue[0];
    throw new Error((issue && issue.details && issue.details.text) || ('HTTP ' + response.status));
  }
  return body;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) td.className = className;
  return td;
}

function time(value) {
  if (!value) return '';
  return new Date(value).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function age(seconds) {
  if (!seconds) return '-';
  if (seconds < 120) return seconds.toFixed(0) + ' s';
  if (seconds < 7200) return (seconds / 60).toFixed(0) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}

function ms(value) { return value === null || value === undefined ? '-' : value.toFixed(0) + ' ms'; }

function reasons(td, codes) {
  for (const code of codes) {
    const span = document.createElement('span');
    span.className = 'reason';
    span.textContent = code;
    td.appendChild(span);
  }
}

function empty(body, columns, text) {
  const row = body.insertRow();
  const td = cell(row, text, 'empty');
  td.colSpan = columns;
}

function idCell(row, id) {
  const td = row.insertCell();
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link id';
  button.textContent = id;
  button.dataset.history = id;
  button.addEventListener('click', () => { shown = id; history(); });
  td.appendChild(button);
}

async function feeds() {
  const stats = await api('/messages/stats');
  const body = $('feeds').tBodies[0];
  body.replaceChildren();
  for (const feed of stats.feeds) {
    const row = body.insertRow();
    row.dataset.feed = feed.feed;
    cell(row, feed.feed);
    cell(row, feed.queued, 'number');
    cell(row, feed.processing, 'number');
    cell(row, feed.deadLettered, feed.deadLettered > 0 ? 'number alarm' : 'number');
    cell(row, age(feed.oldestWaitingSeconds), 'number');
    cell(row, feed.lastHour.received, 'number');
    cell(row, feed.lastHour.completed, 'number');
    cell(row, feed.lastHour.deadLettered, 'number');
    cell(row, feed.lastHour.rescheduled, 'number');
    cell(row, ms(feed.lastHour.latencyP50Ms) + ' / ' + ms(feed.lastHour.latencyP95Ms), 'number');
  }
}

async function deadLetters() {
  const page = await api('/messages?state=dead-lettered&_count=100');
  const body = $('dead').tBodies[0];
  body.replaceChildren();
  for (const m of page.messages) {
    const row = body.insertRow();
    row.dataset.id = m.id;
    idCell(row, m.id);
    cell(row, m.feed);
    reasons(row.insertCell(), m.reasons);
    cell(row, m.attempts, 'number');
    cell(row, time(m.receivedAt));
    cell(row, time(m.completedAt));
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Resubmit';
    button.dataset.resubmit = m.id;
    button.addEventListener('click', () => resubmit({ id: m.id }, false));
    row.insertCell().appendChild(button);
  }
  if (page.messages.length === 0) empty(body, 7, 'No dead letters.');
}

async function waiting() {
  const pages = await Promise.all(['queued', 'processing'].map((state) => api('/messages?_count=100&state=' + state)));
  const body = $('waiting').tBodies[0];
  body.replaceChildren();
  const messages = pages.flatMap((p) => p.messages);
  for (const m of messages) {
    const row = body.insertRow();
    row.dataset.id = m.id;
    idCell(row, m.id);
    cell(row, m.feed);
    cell(row, m.state);
    reasons(row.insertCell(), m.reasons);
    cell(row, m.attempts, 'number');
    cell(row, time(m.receivedAt));
    cell(row, time(m.dueAt));
  }
  if (messages.length === 0) empty(body, 7, 'Nothing is waiting.');
}

async function history() {
  if (!shown) return;
  const view = await api('/messages/' + encodeURIComponent(shown) + '/history');
  $('history').hidden = false;
  $('history-id').textContent = view.message.id;
  const state = $('history-state');
  state.textContent = view.message.state;
  state.className = 'state ' + view.message.state;
  const body = $('history-steps');
  body.replaceChildren();
  for (const step of view.events) {
    const row = body.insertRow();
    cell(row, time(step.at));
    cell(row, step.event);
    cell(row, step.attempt > 0 ? step.attempt : '', 'number');
    reasons(row.insertCell(), step.codes);
  }
}

function instant(id) {
  const value = $(id).value;
  return value ? new Date(value).toISOString() : undefined;
}

async function resubmit(request, dryRun) {
  try {
    const body = Object.assign({}, request, dryRun ? { dryRun: true } : {});
    const summary = await api('/messages/resubmit', { method: 'POST', body: JSON.stringify(body) });
    $('filter-result').textContent = summary.dryRun
      ? summary.matched + ' dead letter(s) match; a resubmit would queue them again.'
      : summary.resubmitted + ' of ' + summary.matched + ' resubmitted.' + (summary.remaining > 0 ? ' ' + summary.remaining + ' more match: resubmit again.' : '');
    if (request.id) shown = request.id;
    await refresh();
  } catch (e) {
    if (e.message !== 'unauthorised') fail(e.message);
  }
}

function filterRequest() {
  const request = { state: 'dead-lettered' };
  const reason = $('filter-reason').value.trim();
  if (reason) request.reason = reason;
  const since = instant('filter-since');
  if (since) request.since = since;
  const until = instant('filter-until');
  if (until) request.until = until;
  return request;
}

function fail(message) {
  const error = $('error');
  error.textContent = message;
  error.hidden = false;
}

function showLogin(message) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('forget').hidden = !token();
  if (message) fail(message);
}

async function refresh() {
  try {
    await Promise.all([feeds(), deadLetters(), waiting(), history()]);
    $('error').hidden = true;
    $('login').hidden = true;
    $('main').hidden = false;
    $('forget').hidden = !token();
    $('updated').textContent = 'updated ' + time(new Date().toISOString());
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e.message !== 'unauthorised') fail(e.message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('refresh').addEventListener('click', refresh);
  $('forget').addEventListener('click', () => { sessionStorage.removeItem(tokenKey); showLogin(null); });
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (value) sessionStorage.setItem(tokenKey, value);
    $('token').value = '';
    $('error').hidden = true;
    refresh();
  });
  $('filter-dry').addEventListener('click', () => resubmit(filterRequest(), true));
  $('filter-go').addEventListener('click', () => resubmit(filterRequest(), false));
  refresh();
  setInterval(refresh, 5000);
});
