// The demo shop's own code, as a merchant would write it around the pasted <portone-checkout> tag:
// - the cart sets the element's `amount` and `name`, the payment method its `pay-method`;
// - the language switch sets the page's language, the element's `lang` and the payment window's `language`;
// - a live log shows every payment-success / payment-failure with its `detail`, and the order panel shows what the
//   server stored (GET /payments/:merchant_uid: state and history) and the webhooks PortOne sent for it;
// - the scenario panel (offline sandbox only) scripts the sandbox's next payment window, switches the sandbox to
//   its mobile behaviour, loses the buyer's return, or breaks PortOne, through the demo API (/demo/api/…).
// A classic script that is not deferred: it listens for the element's results before the element (loaded async by
// the loader) can report one; a mobile landing is verified as soon as the element upgrades.
(function () {
  'use strict';

  var DEVICE_KEY = 'portone-sandbox-device'; // read by the sandbox's iamport.js on this page's origin
  var TAMPER_AMOUNT = 1000;
  var RECENT_MS = 10000; // keep reading the order this long after something happened (late webhooks)
  var WATCH_MS = 180000; // how long to wait for a webhook to settle an order whose return was lost

  var T = {
    ko: {
      title: '포트원 가구점 · portone-checkout 데모',
      skip: '결제로 건너뛰기', shop: '포트원 가구점', offline: '오프라인 데모 · 실제 결제 없음',
      cart: '장바구니', chair: '노르웨이 회전 의자', chairNote: '자작나무 다리 · 울 패브릭', cushion: '양모 방석', cushionNote: '손으로 짠 제주 양모',
      less: '하나 빼기', more: '하나 더', qty: '수량', method: '결제수단', card: '신용카드', vbankMethod: '가상계좌 (무통장입금)', total: '합계',
      outageBanner: 'PortOne 결제 조회가 장애 중입니다. 서버가 결제를 확인하지 못합니다(502).', recover: '복구',
      empty: '장바구니가 비어 있습니다.', snippet: '이 페이지에 붙인 태그',
      order: '주문 · 서버 기록', polling: '웹훅 기다리는 중…', orderEmpty: '아직 주문이 없습니다. 결제하면 서버가 저장한 주문의 상태와 이력이 여기에 나옵니다.',
      history: '이력', webhooks: 'PortOne 알림 (웹훅)', deposit: '입금하기 (샌드박스)',
      lab: '시나리오', labIntro: '다음 결제창이 무엇을 할지 고른 뒤 결제 버튼을 누르세요. 결제창의 버튼을 직접 눌러도 됩니다.',
      nextWindow: '다음 결제창', sManual: '직접 고르기',
      sApprove: '승인', sDecline: '카드 거절',
      sClose: '창 닫기', sVbank: '가상계좌 발급',
      sTamper: '금액 위조',
      conditions: '상황', mobile: '모바일 결제', mobileHint: '결제창으로 이동했다가 이 페이지로 돌아옵니다(리다이렉트)',
      lost: '돌아오지 못함', lostHint: '결제 후 브라우저가 닫힙니다: 웹훅만 주문을 확정합니다',
      outage: 'PortOne 장애', outageHint: '결제 조회가 503으로 실패해 확인이 502가 됩니다',
      noSandbox: '실제 PortOne 키로 실행 중입니다. 시나리오는 오프라인 샌드박스에서만 쓸 수 있습니다.',
      events: '이벤트 로그', clear: '지우기', logEmpty: '요소가 보낸 payment-success / payment-failure 이벤트와 detail이 여기에 쌓입니다.',
      cmsLink: 'CMS 예시: 한 페이지에 여러 버튼', footNote: '<portone-checkout> · PortOne V1 샌드박스',
      arming: '결제창을 준비하는 중…', armError: '샌드박스에 연결하지 못했습니다.',
      armed: {
        manual: '다음 결제창: 결제창의 버튼을 직접 누르세요.', approve: '다음 결제창: 잠시 뒤 스스로 승인합니다.',
        decline: '다음 결제창: 잠시 뒤 카드사가 한도초과로 거절합니다.', close: '다음 결제창: 잠시 뒤 구매자가 창을 닫습니다.',
        vbank: '다음 결제창: 잠시 뒤 가상계좌를 발급합니다. 입금은 나중에 합니다.', tamper: '다음 결제창: 잠시 뒤 구매자가 ₩1,000만 결제합니다. 서버가 알아채고 취소합니다.',
      },
      states: { ready: '결제 대기', vbank_issued: '입금 대기', paid: '결제 완료', forgery: '위조 · 취소됨', failed: '결제 실패', cancelled: '취소됨' },
      via: { prepare: '주문 생성 (prepare)', complete: '결제 확인 (complete)', webhook: 'PortOne 웹훅', reconcile: '대사 (reconcile)' },
      hookAnswer: function (status, answer, error) { return '상태 ' + status + ' → 서버 응답 ' + (answer === null ? '없음 (' + error + ')' : answer); },
      items: function (first, count, firstQty) { return count > 1 ? first + ' 외 ' + (count - 1) + '건' : firstQty > 1 ? first + ' ' + firstQty + '개' : first; },
      amountLine: function (amount) { return '주문 금액 ' + amount; },
      r: {
        paid: '결제 완료', paidBody: function (amount, via) { return amount + '을 결제했습니다. 서버가 PortOne에서 결제를 확인한 뒤에만 이 표시가 나옵니다' + (via === 'redirect' ? ' (결제창에서 돌아온 뒤 확인).' : '.'); },
        vbank: '가상계좌 발급', vbankBody: function (v, amount, due) { return v.vbank_name + ' ' + v.vbank_num + ' (예금주 ' + v.vbank_holder + ')로 ' + due + '까지 ' + amount + '을 입금해 주세요. 입금되면 PortOne 웹훅이 주문을 결제 완료로 바꿉니다.'; },
        vbankTry: '아래 주문의 ‘입금하기’로 입금해 보세요.',
        closed: '결제하지 않았습니다', closedBody: function (m) { return '결제창을 닫았습니다. ' + m; },
        declined: '결제가 거절되었습니다', declinedBody: function (m, code) { return m + ' (' + code + ')'; },
        forgery: '금액 위조: 서버가 결제를 취소했습니다', forgeryBody: function (m) { return '결제창에서 낸 금액이 주문 금액과 달라, 서버가 PortOne에서 결제를 취소하고 주문을 위조로 기록했습니다. 서버: “' + m + '”'; },
        retry: '확인하지 못했습니다: 다시 누르세요', retryBody: function (m, code) { return '결제는 PortOne에 있지만 서버가 확인하지 못했습니다. 서버: “' + m + '” (' + code + '). 결제 버튼을 다시 누르면 같은 결제를 다시 확인합니다. 새로 결제하지 않습니다.'; },
        refused: '서버가 결제를 인정하지 않았습니다', refusedBody: function (m, code) { return m + ' (' + code + ')'; },
        other: function (stage) { return stage + ' 단계에서 실패했습니다'; },
        landing: '결제창에서 돌아왔습니다', landingBody: '결제를 확인하고 있습니다…',
        watch: '결제 결과를 받지 못했습니다', watchBody: '브라우저가 닫혀 이 페이지는 결제창의 결과를 받지 못했습니다. 결제가 되었다면 서버가 PortOne 웹훅을 받아 주문을 확정합니다: 아래 주문 상태를 보세요.',
        watchPaid: '웹훅으로 결제가 확정되었습니다', watchPaidBody: '이 페이지는 아무것도 확인하지 않았습니다. PortOne 웹훅을 받은 서버가 결제를 다시 조회해 주문을 결제 완료로 바꿨습니다.',
      },
    },
    en: {
      title: 'PortOne Furniture · portone-checkout demo',
      skip: 'Skip to checkout', shop: 'PortOne Furniture', offline: 'Offline demo · no real money',
      cart: 'Your cart', chair: 'Norwegian swivel chair', chairNote: 'Birch legs · wool fabric', cushion: 'Wool seat cushion', cushionNote: 'Hand-woven Jeju wool',
      less: 'One less', more: 'One more', qty: 'Quantity', method: 'Payment method', card: 'Credit card', vbankMethod: 'Virtual account', total: 'Total',
      outageBanner: "PortOne's payment lookups are down. The server cannot confirm payments (502).", recover: 'Recover',
      empty: 'Your cart is empty.', snippet: 'The tag pasted into this page',
      order: 'Order · as the server stored it', polling: 'Waiting for the webhook…', orderEmpty: 'No order yet. Pay, and the order the server stored appears here with its state and history.',
      history: 'History', webhooks: 'PortOne notifications (webhooks)', deposit: 'Deposit (sandbox)',
      lab: 'Scenarios', labIntro: 'Choose what the next payment window does, then press the pay button. You can also press the buttons in the window yourself.',
      nextWindow: 'Next payment window', sManual: 'Your choice',
      sApprove: 'Approve', sDecline: 'Decline',
      sClose: 'Close', sVbank: 'Virtual account',
      sTamper: 'Wrong amount',
      conditions: 'Conditions', mobile: 'Mobile payment', mobileHint: 'Leave for the payment window, then come back here (redirect)',
      lost: 'Return lost', lostHint: 'The browser closes after paying: only the webhook settles the order',
      outage: 'PortOne outage', outageHint: 'Payment lookups fail with 503, so verification answers 502',
      noSandbox: 'Running with real PortOne keys: scenarios exist only with the offline sandbox.',
      events: 'Event log', clear: 'Clear', logEmpty: "The element's payment-success / payment-failure events and their detail pile up here.",
      cmsLink: 'CMS example: several buttons on one page', footNote: '<portone-checkout> · PortOne V1 sandbox',
      arming: 'Preparing the payment window…', armError: 'Could not reach the sandbox.',
      armed: {
        manual: "Next window: press the window's buttons yourself.", approve: 'Next window: approves by itself in a moment.',
        decline: 'Next window: in a moment the card issuer declines (over the limit).', close: 'Next window: in a moment the buyer closes it.',
        vbank: 'Next window: issues a virtual account in a moment; the deposit comes later.', tamper: 'Next window: in a moment the buyer pays only ₩1,000. The server notices and cancels it.',
      },
      states: { ready: 'Awaiting payment', vbank_issued: 'Awaiting deposit', paid: 'Paid', forgery: 'Forgery · cancelled', failed: 'Failed', cancelled: 'Cancelled' },
      via: { prepare: 'Order created (prepare)', complete: 'Payment verified (complete)', webhook: 'PortOne webhook', reconcile: 'Reconcile' },
      hookAnswer: function (status, answer, error) { return 'status ' + status + ' → server answered ' + (answer === null ? 'nothing (' + error + ')' : answer); },
      items: function (first, count, firstQty) { return count > 1 ? first + ' and ' + (count - 1) + ' more' : firstQty > 1 ? first + ' ×' + firstQty : first; },
      amountLine: function (amount) { return 'Order amount ' + amount; },
      r: {
        paid: 'Payment complete', paidBody: function (amount, via) { return 'You paid ' + amount + '. This shows only after the server confirmed the payment with PortOne' + (via === 'redirect' ? ' (after your return from the payment window).' : '.'); },
        vbank: 'Virtual account issued', vbankBody: function (v, amount, due) { return 'Please transfer ' + amount + ' to ' + v.vbank_name + ' ' + v.vbank_num + ' (holder ' + v.vbank_holder + ') by ' + due + '. The deposit reaches the server as a PortOne webhook, which marks the order paid.'; },
        vbankTry: 'Try it with “Deposit” on the order below.',
        closed: 'Not paid', closedBody: function (m) { return 'You closed the payment window. ' + m; },
        declined: 'The payment was declined', declinedBody: function (m, code) { return m + ' (' + code + ')'; },
        forgery: 'Tampered amount: the server cancelled the payment', forgeryBody: function (m) { return 'The amount paid in the window was not the order\'s, so the server cancelled the payment at PortOne and recorded the order as a forgery. Server: “' + m + '”'; },
        retry: 'Not confirmed yet: press again', retryBody: function (m, code) { return 'The payment exists at PortOne, but the server could not confirm it. Server: “' + m + '” (' + code + '). Press the pay button again: it checks the same payment again, with no second charge.'; },
        refused: 'The server did not accept the payment', refusedBody: function (m, code) { return m + ' (' + code + ')'; },
        other: function (stage) { return 'Failed at the ' + stage + ' stage'; },
        landing: 'Back from the payment window', landingBody: 'Confirming the payment…',
        watch: 'No answer from the payment window', watchBody: 'The browser closed, so this page never got the payment window\'s answer. If it was paid, the server settles the order when PortOne\'s webhook arrives: see the order below.',
        watchPaid: 'Settled by the webhook', watchPaidBody: 'This page confirmed nothing. The server got PortOne\'s webhook, read the payment again and marked the order paid.',
      },
    },
  };

  // ---- storage (best effort: a page with storage blocked still works, it just forgets) ----
  function read(storage, key, fallback) {
    try {
      var value = window[storage].getItem('demo.' + key);
      return value === null ? fallback : JSON.parse(value);
    } catch (_) {
      return fallback;
    }
  }
  function write(storage, key, value) {
    try {
      window[storage].setItem('demo.' + key, JSON.stringify(value));
    } catch (_) {
      /* storage blocked */
    }
  }

  var query = new URL(location.href).searchParams;
  var lang = query.get('lang') === 'en' || query.get('lang') === 'ko' ? query.get('lang') : read('localStorage', 'lang', 'ko') === 'en' ? 'en' : 'ko';
  var log = read('sessionStorage', 'log', []);
  /** What the result banner describes: the latest event, a landing being verified, or an order being watched. */
  var result = read('sessionStorage', 'result', null);
  if (query.has('imp_uid') || query.has('merchant_uid')) result = { kind: 'landing' };
  if (query.get('order')) result = { kind: 'watch', merchantUid: query.get('order') };
  var order = null; // the last order read from the server
  var hooks = null; // the webhooks the sandbox sent for it
  var sandbox = false;
  var el = null;
  var ready = false;

  // ---- the element's results: listened for at once ----
  function onResult(event) {
    var entry = { type: event.type, at: new Date().toISOString(), detail: event.detail };
    log.unshift(entry);
    log.length = Math.min(log.length, 30);
    write('sessionStorage', 'log', log);
    result = { kind: 'event', entry: entry };
    write('sessionStorage', 'result', result);
    if (event.detail.merchantUid) write('sessionStorage', 'order', event.detail.merchantUid);
    if (!ready) return; // init() renders it and reads the order
    arm(); // the scripted choice was used by that window: queue it again for the next one
    renderLog();
    renderResult();
    if (event.detail.merchantUid) track(event.detail.merchantUid, false);
  }
  document.addEventListener('payment-success', onResult);
  document.addEventListener('payment-failure', onResult);

  // ---- helpers ----
  function t() {
    return T[lang];
  }
  function $(selector) {
    return document.querySelector(selector);
  }
  function money(amount) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'ko-KR', { style: 'currency', currency: 'KRW' }).format(amount);
  }
  function clock(date) {
    return new Date(date).toLocaleTimeString(lang === 'en' ? 'en-US' : 'ko-KR', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }
  function day(unixSeconds) {
    return new Date(unixSeconds * 1000).toLocaleString(lang === 'en' ? 'en-US' : 'ko-KR', { month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }
  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function setAttr(node, name, value) {
    if (value === null) node.removeAttribute(name);
    else if (node.getAttribute(name) !== value) node.setAttribute(name, value); // unchanged: no attributeChangedCallback
  }
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw new Error(json.message || 'HTTP ' + response.status);
        return json;
      });
    });
  }

  // ---- language ----
  function setLang(next) {
    lang = next;
    write('localStorage', 'lang', lang);
    document.documentElement.lang = lang;
    document.title = t().title;
    document.querySelectorAll('[data-t]').forEach(function (node) {
      node.textContent = t()[node.dataset.t];
    });
    document.querySelectorAll('[data-lang]').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    });
    document.querySelectorAll('[data-money]').forEach(function (node) {
      node.textContent = money(Number(node.dataset.money));
    });
    setAttr(el, 'lang', lang); // the element's own texts
    setAttr(el, 'language', lang); // the payment window's
    renderCart();
    renderArmed();
    renderResult();
    renderOrder();
    renderLog();
  }

  // ---- cart ----
  function cartLines() {
    return Array.prototype.map.call(document.querySelectorAll('.product'), function (row) {
      var input = row.querySelector('input');
      var qty = Math.max(0, Math.min(9, Math.floor(Number(input.value)) || 0));
      return { id: row.dataset.product, price: Number(row.dataset.price), qty: qty, input: input, row: row };
    });
  }
  function renderCart() {
    var lines = cartLines();
    var total = 0;
    var bought = [];
    lines.forEach(function (line) {
      // An emptied field stays empty while the buyer types (it counts as 0); anything else is shown as counted.
      if (line.input.value !== '' && String(line.qty) !== line.input.value) line.input.value = String(line.qty);
      var name = t()[line.id];
      line.row.querySelector('[data-step="-1"]').setAttribute('aria-label', name + ': ' + t().less);
      line.row.querySelector('[data-step="1"]').setAttribute('aria-label', name + ': ' + t().more);
      line.input.setAttribute('aria-label', name + ': ' + t().qty);
      line.row.querySelector('[data-step="-1"]').disabled = line.qty === 0;
      line.row.querySelector('[data-step="1"]').disabled = line.qty === 9;
      total += line.price * line.qty;
      if (line.qty > 0) bought.push(line);
    });
    write('sessionStorage', 'cart', lines.map(function (l) {
      return l.qty;
    }));
    $('#total').textContent = money(total);
    // The element: the cart sets its amount and order name; an empty cart disables it.
    if (total > 0) {
      setAttr(el, 'amount', String(total));
      setAttr(el, 'name', t().items(t()[bought[0].id], bought.length, bought[0].qty));
    }
    el.toggleAttribute('disabled', total === 0);
    $('#empty-hint').hidden = total > 0;
  }

  // ---- scenarios (sandbox only) ----
  function scenario() {
    return read('localStorage', 'scenario', 'manual');
  }
  var arming = Promise.resolve();
  /** Queue the chosen choice for the next payment window (or clear it): one at a time, in order. */
  function arm() {
    if (!sandbox) return;
    var chosen = scenario();
    var body = chosen === 'tamper' ? { action: 'amount', amount: TAMPER_AMOUNT } : { action: chosen };
    $('#armed').dataset.armed = '';
    $('#armed').textContent = t().arming;
    arming = arming
      .then(function () {
        return api('PUT', '/demo/api/next', body);
      })
      .then(
        function () {
          if (scenario() !== chosen) return;
          $('#armed').dataset.armed = chosen;
          renderArmed();
        },
        function () {
          $('#armed').textContent = t().armError;
        },
      );
  }
  function renderArmed() {
    var armed = $('#armed').dataset.armed;
    if (armed) $('#armed').textContent = t().armed[armed];
  }
  function isMobile() {
    var forced = null;
    try {
      forced = localStorage.getItem(DEVICE_KEY);
    } catch (_) {
      /* storage blocked */
    }
    return forced === 'mobile' || (forced !== 'pc' && /iPhone|iPod|iPad|Android|Mobile/i.test(navigator.userAgent));
  }
  function setMobile(on) {
    try {
      // As the sandbox's iamport.js decides: the user agent, unless this key says otherwise.
      if (on === /iPhone|iPod|iPad|Android|Mobile/i.test(navigator.userAgent)) localStorage.removeItem(DEVICE_KEY);
      else localStorage.setItem(DEVICE_KEY, on ? 'mobile' : 'pc');
    } catch (_) {
      /* storage blocked */
    }
    $('#mobile').checked = isMobile();
    if (!on) setLostReturn(false);
  }
  /** The buyer's return is lost: PortOne sends them to a "browser closed" page that verifies nothing. */
  function setLostReturn(on) {
    write('localStorage', 'lost', on);
    $('#lost-return').checked = on;
    setAttr(el, 'm-redirect-url', on ? location.origin + '/closed.html' : null);
    if (on && !isMobile()) setMobile(true);
  }
  function setOutage(on) {
    $('#outage').checked = on;
    $('#outage-banner').hidden = !on;
    document.body.dataset.outage = String(on);
  }

  // ---- result banner ----
  function describe() {
    var r = t().r;
    if (!result) return null;
    if (result.kind === 'landing') return { tone: 'info', title: r.landing, body: r.landingBody };
    if (result.kind === 'watch') {
      var settled = order && order.merchant_uid === result.merchantUid && order.state === 'paid';
      return settled ? { tone: 'ok', title: r.watchPaid, body: r.watchPaidBody } : { tone: 'info', title: r.watch, body: r.watchBody };
    }
    var entry = result.entry;
    var d = entry.detail;
    if (entry.type === 'payment-success') {
      if (d.status === 'ready') {
        var deposit = sandbox && order && order.merchant_uid === d.merchantUid && order.state === 'vbank_issued' ? ' ' + r.vbankTry : '';
        return { tone: 'info', title: r.vbank, body: r.vbankBody(d.verification, money(d.amount), day(d.verification.vbank_date)) + deposit };
      }
      return { tone: 'ok', title: r.paid, body: r.paidBody(money(d.amount), d.via) };
    }
    if (d.stage === 'payment') {
      if (/결제포기/.test(d.message) || d.code === 'PAY_PROCESS_CANCELED') return { tone: 'neutral', title: r.closed, body: r.closedBody(d.message) };
      return { tone: 'bad', title: r.declined, body: r.declinedBody(d.message, d.code) };
    }
    if (d.stage === 'verify') {
      var forged = order && order.merchant_uid === d.merchantUid && order.state === 'forgery';
      if (forged) return { tone: 'bad', title: r.forgery, body: r.forgeryBody(d.message) };
      if (d.retryable) return { tone: 'warn', title: r.retry, body: r.retryBody(d.message, d.code) };
      return { tone: 'bad', title: r.refused, body: r.refusedBody(d.message, d.code) };
    }
    return { tone: d.retryable ? 'warn' : 'bad', title: r.other(d.stage), body: d.message + ' (' + d.code + ')' };
  }
  function renderResult() {
    var box = $('#result');
    var said = describe();
    box.hidden = !said;
    if (!said) return;
    box.className = 'result ' + said.tone;
    box.dataset.tone = said.tone;
    box.replaceChildren(make('strong', 'result-title', said.title), make('p', '', said.body));
  }

  // ---- the event log ----
  function summary(entry) {
    var d = entry.detail;
    if (entry.type === 'payment-success') return [d.status, money(d.amount), d.payMethod, d.via].join(' · ');
    return [d.stage, d.code, d.retryable ? 'retryable' : 'final'].concat(d.via ? [d.via] : []).join(' · ');
  }
  function renderLog() {
    var list = $('#log');
    $('#log-empty').hidden = log.length > 0;
    list.replaceChildren.apply(
      list,
      log.map(function (entry, index) {
        var item = make('li', 'entry ' + (entry.type === 'payment-success' ? 'success' : 'failure'));
        item.dataset.type = entry.type;
        item.dataset.merchantUid = entry.detail.merchantUid || '';
        var head = make('div', 'entry-head');
        head.append(make('code', 'tag', entry.type), make('span', 'sum', summary(entry)), make('time', '', clock(entry.at)));
        head.lastChild.setAttribute('datetime', entry.at);
        var details = make('details');
        details.open = index === 0;
        details.append(make('summary', '', 'detail'), make('pre', '', JSON.stringify(entry.detail, null, 2)));
        item.append(head, details);
        return item;
      }),
    );
  }

  // ---- the order, as the server stored it ----
  var tracking = { uid: null, until: 0, watch: false, timer: 0, seq: 0 };
  /** Read the order now and for a while (`watch`: until a webhook settles it). */
  function track(uid, watch) {
    tracking.uid = uid;
    tracking.watch = watch;
    tracking.until = Date.now() + (watch ? WATCH_MS : RECENT_MS);
    write('sessionStorage', 'order', uid);
    poll();
  }
  function poll() {
    clearTimeout(tracking.timer);
    var uid = tracking.uid;
    var seq = ++tracking.seq;
    if (!uid) return;
    var orderRead = fetch('/payments/' + encodeURIComponent(uid)).then(function (response) {
      return response.status === 404 ? { merchant_uid: uid, state: null, history: [] } : response.json();
    });
    var hooksRead = sandbox
      ? api('GET', '/demo/api/webhooks?merchant_uid=' + encodeURIComponent(uid)).then(function (json) {
          return json.deliveries;
        })
      : Promise.resolve(null);
    Promise.all([orderRead, hooksRead]).then(
      function (answers) {
        if (seq !== tracking.seq) return;
        order = answers[0];
        hooks = answers[1];
        var waiting = tracking.watch && order.state === 'ready';
        renderOrder();
        renderResult();
        $('#order-polling').hidden = !(waiting && Date.now() < tracking.until);
        if (Date.now() < tracking.until && (waiting || !tracking.watch)) tracking.timer = setTimeout(poll, 500);
      },
      function () {
        if (seq === tracking.seq && Date.now() < tracking.until) tracking.timer = setTimeout(poll, 2000);
      },
    );
  }
  function renderOrder() {
    var box = $('#order');
    $('#order-empty').hidden = !!order;
    $('#order-body').hidden = !order;
    if (!order) return;
    box.dataset.merchantUid = order.merchant_uid;
    box.dataset.state = order.state || '';
    $('#order-uid').textContent = order.merchant_uid;
    var state = $('#order-state');
    state.textContent = order.state ? t().states[order.state] + ' · ' + order.state : '—';
    state.className = 'state state-' + (order.state || 'none');
    $('#order-amount').textContent = order.amount ? t().amountLine(money(order.amount)) + (order.name ? ' · ' + order.name : '') : '';
    var history = $('#history');
    history.replaceChildren.apply(
      history,
      (order.history || []).map(function (step) {
        var item = make('li', 'step step-' + step.state);
        item.dataset.state = step.state;
        item.dataset.via = step.via;
        item.append(make('span', 'step-state', t().states[step.state] || step.state), make('span', 'step-via', t().via[step.via] || step.via), make('time', '', clock(step.at)));
        return item;
      }),
    );
    $('#webhooks-box').hidden = !hooks || hooks.length === 0;
    var list = $('#webhooks');
    list.replaceChildren.apply(
      list,
      (hooks || []).map(function (hook) {
        var item = make('li', hook.answer === 200 ? 'hook ok' : 'hook bad');
        item.append(make('time', '', clock(hook.at * 1000)), make('span', '', t().hookAnswer(hook.status, hook.answer, hook.error)));
        return item;
      }),
    );
    $('#deposit').hidden = !(sandbox && order.state === 'vbank_issued' && order.imp_uid);
  }

  // ---- the pasted tag, live ----
  function renderSnippet() {
    var lines = Array.prototype.filter
      .call(el.attributes, function (a) {
        return a.name !== 'id' && a.name !== 'state';
      })
      .map(function (a) {
        return a.value === '' ? a.name : a.name + '="' + a.value + '"';
      });
    $('#snippet').textContent = '<script src="/dist/loader.js" async></script>\n<portone-checkout ' + lines.join('\n                  ') + '></portone-checkout>';
  }

  function init() {
    el = $('#checkout');
    // Restore what a mobile trip (or a reload) left behind.
    var cart = read('sessionStorage', 'cart', null);
    if (cart) {
      cartLines().forEach(function (line, i) {
        if (typeof cart[i] === 'number') line.input.value = String(cart[i]);
      });
    }
    var method = read('sessionStorage', 'method', 'card');
    document.querySelector('input[name="method"][value="' + method + '"]').checked = true;
    setAttr(el, 'pay-method', method === 'vbank' ? 'vbank' : null);
    var chosen = document.querySelector('input[name="scenario"][value="' + scenario() + '"]');
    if (chosen) chosen.checked = true;
    $('#mobile').checked = isMobile();
    if (read('localStorage', 'lost', false)) setLostReturn(true);
    if (query.has('order') || query.has('lang')) {
      var clean = new URL(location.href);
      clean.searchParams.delete('order');
      clean.searchParams.delete('lang');
      history.replaceState(history.state, '', clean.href);
    }

    document.querySelectorAll('.product').forEach(function (row) {
      var input = row.querySelector('input');
      row.querySelectorAll('[data-step]').forEach(function (button) {
        button.addEventListener('click', function () {
          input.value = String((Number(input.value) || 0) + Number(button.dataset.step));
          renderCart();
        });
      });
      input.addEventListener('input', renderCart);
      input.addEventListener('change', function () {
        if (input.value === '') input.value = '0';
        renderCart();
      });
    });
    document.querySelectorAll('input[name="method"]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        write('sessionStorage', 'method', radio.value);
        setAttr(el, 'pay-method', radio.value === 'vbank' ? 'vbank' : null);
      });
    });
    document.querySelectorAll('[data-lang]').forEach(function (button) {
      button.addEventListener('click', function () {
        setLang(button.dataset.lang);
      });
    });
    document.querySelectorAll('input[name="scenario"]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        write('localStorage', 'scenario', radio.value);
        if (radio.value === 'vbank') {
          var vbank = document.querySelector('input[name="method"][value="vbank"]');
          vbank.checked = true;
          vbank.dispatchEvent(new Event('change'));
        }
        arm();
      });
    });
    $('#mobile').addEventListener('change', function () {
      setMobile($('#mobile').checked);
    });
    $('#lost-return').addEventListener('change', function () {
      setLostReturn($('#lost-return').checked);
    });
    function outage(on) {
      $('#outage').disabled = true;
      api('PUT', '/demo/api/outage', { on: on })
        .then(function (json) {
          setOutage(json.outage);
        })
        .catch(function () {
          setOutage(!on);
        })
        .finally(function () {
          $('#outage').disabled = false;
        });
    }
    $('#outage').addEventListener('change', function () {
      outage($('#outage').checked);
    });
    $('#recover').addEventListener('click', function () {
      outage(false);
      // The banner (and this button) goes away: the focus moves on to the pay button, the next thing to press.
      var pay = el.shadowRoot && el.shadowRoot.querySelector('button');
      if (pay) pay.focus();
    });
    $('#deposit').addEventListener('click', function () {
      $('#deposit').disabled = true;
      api('POST', '/demo/api/deposit', { imp_uid: order.imp_uid })
        .then(function () {
          track(order.merchant_uid, false);
        })
        .finally(function () {
          $('#deposit').disabled = false;
        });
    });
    $('#clear-log').addEventListener('click', function () {
      log = [];
      write('sessionStorage', 'log', log);
      renderLog();
    });
    new MutationObserver(renderSnippet).observe(el, { attributes: true });

    ready = true;
    setLang(lang);
    renderSnippet();

    // The sandbox's remote control, when the sandbox plays PortOne.
    api('GET', '/demo/api/status')
      .catch(function () {
        return { sandbox: false };
      })
      .then(function (status) {
        sandbox = status.sandbox;
        $('#lab-controls').hidden = !sandbox;
        $('#no-sandbox').hidden = sandbox;
        document.body.dataset.sandbox = String(sandbox);
        if (sandbox) {
          setOutage(status.outage);
          arm();
        }
        var watching = !!(result && result.kind === 'watch');
        var last = watching ? result.merchantUid : read('sessionStorage', 'order', null);
        if (last) track(last, watching);
      });
    if (result && result.kind === 'watch') write('sessionStorage', 'result', result);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
