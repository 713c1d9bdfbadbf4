// The posture page: a client of the public GraphQL API only (POST /graphql), like any
// dashboard. With auth on, the token is kept in this tab's session storage.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var current = null;

  function text(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  function cell(row, value, className) {
    var td = document.createElement('td');
    td.textContent = text(value);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = !message;
  }

  function gql(query, variables) {
    var headers = { 'content-type': 'application/json' };
    var token = sessionStorage.getItem('assetql-token');
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var codes = body.errors.map(function (e) { return (e.extensions && e.extensions.code) || ''; });
          if (codes.indexOf('UNAUTHENTICATED') >= 0) $('token-form').hidden = false;
          throw new Error(body.errors.map(function (e) { return e.message; }).join('; '));
        }
        return body.data;
      });
  }

  function percent(p) {
    return p === null || p === undefined ? '–' : p.toFixed(1) + '%';
  }

  // A small line of the failing counts of a control's runs, oldest first.
  function trend(runs) {
    var points = runs.slice().reverse().map(function (r) { return r.failingCount; });
    var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'trend');
    svg.setAttribute('width', '90');
    svg.setAttribute('height', '20');
    if (points.length < 2) return svg;
    var max = Math.max.apply(null, points.concat([1]));
    var path = points.map(function (v, i) {
      return (i ? 'L' : 'M') + (i * 88 / (points.length - 1) + 1).toFixed(1) + ',' + (19 - v * 18 / max).toFixed(1);
    }).join(' ');
    var line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    line.setAttribute('d', path);
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#b3261e');
    svg.appendChild(line);
    svg.setAttribute('aria-label', 'failing over the last ' + points.length + ' runs: ' + points.join(', '));
    return svg;
  }

  function statusOf(run) {
    if (!run) return 'no_data';
    if (run.staleScopes && run.staleScopes.length && run.status === 'pass') return 'stale';
    return run.status;
  }

  function loadOverview() {
    return gql('{ compliance { applicable failing compliancePercent unknownControls accounts { cloudAccountId applicable failing compliancePercent } } ' +
      'controls { id title severity supported latestRun { status failingCount applicableCount compliancePercent staleScopes { cloudAccountId region } error } } ' +
      'controlRuns(limit: 1000) { controlId failingCount startedAt } }')
      .then(function (data) {
        var c = data.compliance;
        $('overall').textContent = percent(c.compliancePercent) + ' compliant · ' + c.failing + ' of ' + c.applicable + ' checks failing' +
          (c.unknownControls ? ' · ' + c.unknownControls + ' control(s) unknown' : '');
        var accounts = $('accounts');
        accounts.innerHTML = '';
        accounts.className = 'accounts';
        c.accounts.forEach(function (a) {
          var div = document.createElement('div');
          div.className = 'account';
          div.innerHTML = '<b></b><span></span>';
          div.querySelector('b').textContent = percent(a.compliancePercent);
          div.querySelector('span').textContent = a.cloudAccountId + ': ' + a.failing + ' of ' + a.applicable + ' failing';
          accounts.appendChild(div);
        });
        var runsByControl = {};
        data.controlRuns.forEach(function (r) { (runsByControl[r.controlId] = runsByControl[r.controlId] || []).push(r); });
        var body = $('controls').querySelector('tbody');
        body.innerHTML = '';
        var order = { fail: 0, error: 1, no_data: 2, stale: 3, pass: 4 };
        data.controls.filter(function (k) { return k.supported; })
          .sort(function (a, b) { return order[statusOf(a.latestRun)] - order[statusOf(b.latestRun)] || a.id.localeCompare(b.id); })
          .forEach(function (k) {
            var run = k.latestRun;
            var row = document.createElement('tr');
            row.className = 'clickable';
            row.dataset.control = k.id;
            var name = cell(row, k.id);
            name.title = k.title;
            cell(row, k.severity, 'severity-' + k.severity);
            var status = statusOf(run);
            cell(row, status, 'status status-' + status);
            cell(row, run ? run.failingCount + ' of ' + text(run.applicableCount === null ? '?' : run.applicableCount) : '–', 'failing');
            cell(row, run ? percent(run.compliancePercent) : '–');
            cell(row, '').appendChild(trend(runsByControl[k.id] || []));
            cell(row, k.title);
            row.addEventListener('click', function () { location.hash = 'control=' + encodeURIComponent(k.id); });
            body.appendChild(row);
          });
      });
  }

  function why(asset) {
    if (!asset) return 'no longer inventoried';
    var parts = [];
    if (asset.networkMode) parts.push('network ' + asset.networkMode);
    if (asset.pidMode) parts.push('pid ' + asset.pidMode);
    (asset.containerSpecs || []).forEach(function (c) {
      var flags = [];
      if (c.privileged) flags.push('privileged');
      flags.push('user ' + (c.user === null ? '(unset)' : c.user));
      if (c.readOnlyRootFS !== true) flags.push('writable root');
      if (!c.logDriver) flags.push('no logs');
      parts.push(c.name + ': ' + flags.join(', '));
    });
    if (asset.platformVersion) parts.push('platform ' + asset.platformVersion);
    return parts.join('; ');
  }

  function loadDetail(controlId) {
    current = controlId;
    $('detail').hidden = false;
    return gql('query($id: String!) { controls { id title description } ' +
      'findings(controlId: $id, status: [FAIL, EXCEPTED]) { status internetExposed environment assetIdentifier asset { internalName internalRegion cloudAccountID ' +
      '... on EcsTaskDefinition { networkMode pidMode containerSpecs { name user privileged readOnlyRootFS logDriver } } ... on EcsService { platformVersion } } } ' +
      'exceptions(controlId: $id, active: true) { id assetIdentifier owner reason expiresAt } }', { id: controlId })
      .then(function (data) {
        var control = data.controls.filter(function (k) { return k.id === controlId; })[0] || { title: '', description: '' };
        $('detail-title').textContent = controlId + ' — ' + control.title;
        $('detail-description').textContent = control.description;
        var body = $('findings').querySelector('tbody');
        body.innerHTML = '';
        data.findings.forEach(function (f) {
          var row = document.createElement('tr');
          var a = f.asset || {};
          cell(row, a.internalName || f.assetIdentifier).title = f.assetIdentifier;
          cell(row, text(a.cloudAccountID) + (f.environment ? ' (' + f.environment + ')' : ''));
          cell(row, a.internalRegion);
          cell(row, f.status.toLowerCase(), 'status status-' + f.status.toLowerCase());
          cell(row, f.internetExposed ? 'yes' : '');
          cell(row, why(f.asset));
          var action = cell(row, '');
          if (f.status === 'FAIL') {
            var button = document.createElement('button');
            button.textContent = 'Except…';
            button.addEventListener('click', function () { $('ex-asset').value = f.assetIdentifier; $('ex-owner').focus(); });
            action.appendChild(button);
          }
          body.appendChild(row);
        });
        var exceptions = $('exceptions').querySelector('tbody');
        exceptions.innerHTML = '';
        data.exceptions.forEach(function (e) {
          var row = document.createElement('tr');
          cell(row, e.assetIdentifier);
          cell(row, e.owner);
          cell(row, e.reason);
          cell(row, e.expiresAt.slice(0, 10));
          var button = document.createElement('button');
          button.textContent = 'Revoke';
          button.className = 'revoke';
          button.addEventListener('click', function () {
            gql('mutation($id: ID!) { revokeControlException(id: $id) }', { id: e.id })
              .then(function () { return rescan(); }).catch(function (err) { showError(err.message); });
          });
          cell(row, '').appendChild(button);
          exceptions.appendChild(row);
        });
      });
  }

  // Evaluates the control again (the API records the run), then redraws.
  function rescan() {
    var account = $('rescan-account').value.trim();
    return gql('mutation($id: String, $account: String) { runControls(controlId: $id, cloudAccountId: $account) { status } }',
      { id: current, account: account || null })
      .then(function () { return refresh(); });
  }

  function refresh() {
    showError('');
    var match = /control=([^&]+)/.exec(location.hash);
    var work = loadOverview();
    if (match) {
      work = work.then(function () { return loadDetail(decodeURIComponent(match[1])); });
    } else {
      $('detail').hidden = true;
      current = null;
    }
    return work.then(function () { document.body.dataset.ready = 'true'; })
      .catch(function (err) { showError(err.message); });
  }

  $('rescan').addEventListener('click', function () { rescan().catch(function (err) { showError(err.message); }); });
  $('exception-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var expires = new Date($('ex-expires').value + 'T00:00:00Z').toISOString();
    gql('mutation($c: String!, $a: String!, $o: String!, $r: String!, $e: DateTime!) { createControlException(controlId: $c, assetIdentifier: $a, owner: $o, reason: $r, expiresAt: $e) { id } }',
      { c: current, a: $('ex-asset').value.trim(), o: $('ex-owner').value.trim(), r: $('ex-reason').value.trim(), e: expires })
      .then(function () { $('exception-form').reset(); return rescan(); })
      .catch(function (err) { showError(err.message); });
  });
  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem('assetql-token', $('token').value.trim());
    $('token-form').hidden = true;
    refresh();
  });
  window.addEventListener('hashchange', refresh);
  refresh();
})();
