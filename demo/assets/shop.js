// The demo shop's own code, as a merchant would write it around the pasted <portone-checkout> tag:
// - the cart sets the element's `items` (what is bought: the server prices it from its catalog), and `amount` and
//   `name` (what the buyer is shown: the server refuses a page whose price is not its own); the payment method sets
//   its `pay-method`;
// - the language switch sets the page's language, the element's `lang` and the payment window's `language`;
// - a live log shows every payment-success / payment-failure with its `detail`, and the order panel shows what the
//   server stored (GET /payments/:merchant_uid: state, history, the payments PortOne took and what became of each,
//   the fulfilment), what the demo's onPaid hook shipped, and the webhooks PortOne sent for it;
// - a payment the server refunded as a forgery leaves the order open: the element is pointed at that order
//   (`merchant-uid`) so the next press pays it again, until the cart changes or it is paid. A declined attempt
//   leaves its order `ready` too (the server fails an order only when its virtual account expires, shown as such),
//   but nothing points the element at it: the next press opens a new order;
// - the scenario panel (offline sandbox only) scripts the next payment window, switches the sandbox to its mobile
//   behaviour, loses the buyer's return, breaks PortOne or the shop's shipping, or edits the element's amount as
//   someone would in the browser's devtools. The window's choice and the mobile switch are this tab's own: the page
//   tells the sandbox's iamport.js (`window.portoneSandbox`, read at each payment) and keeps them in sessionStorage, so
//   a later visit, another tab or another page (the CMS page) opens a window that waits for the buyer. PortOne's
//   outage and the shipping switch are the server's (the demo API, /demo/api/…): every tab shows them. "Reset"
//   puts everything back;
// - the PortOne switch (this tab's, sessionStorage, V1 by default) pays through V1 (iamport.js: `merchant`, `pg`) or
//   V2 (browser-sdk.js: `store-id`, `channel-key`): the same element, its attributes swapped, none of the other
//   PortOne's left behind (the element refuses V1's `pg`, `merchant-uid` and `language` beside `store-id`). The log,
//   the result and the order panel name each PortOne's ids (V1: merchant_uid, imp_uid; V2: paymentId, txId); the
//   webhooks of a V2 order say whether they were signed with the store's secret. V2 takes one payment per paymentId,
//   so a refunded forgery's order is not paid again there: the next press opens a new order.
// A classic script that is not deferred: it listens for the element's results before the element (loaded async by
// the loader) can report one; a mobile landing is verified as soon as the element upgrades.
(function () {
  'use strict';

  var DEVICE_KEY = 'portone-sandbox-device'; // a developer's (or an older demo's) device for every page of this origin
  var SCRIPT_DELAY_MS = 500; // a scripted window stays open this long before choosing, so a person sees what it does
  var TAMPER_AMOUNT = 1000; // what the "wrong amount" window pays
  var DEVTOOLS_AMOUNT = 100; // what the devtools tamper writes into the element's amount
  var RECENT_MS = 10000; // keep reading the order this long after something happened (late webhooks)
  var WATCH_MS = 180000; // how long to wait for a webhook to settle an order whose return was lost
  var SHIPPING_MS = 120000; // how long to keep reading an order whose fulfilment is pending (retried with backoff)

  var T = {
    ko: {
      title: '포트원 가구점 · portone-checkout 데모',
      skip: '결제로 건너뛰기', shop: '포트원 가구점', offline: '오프라인 데모 · 실제 결제 없음',
      protocol: 'PortOne 버전', protocolV1: 'V1 (iamport.js)', protocolV2: 'V2 (browser-sdk.js)',
      cart: '장바구니', chair: '노르웨이 회전 의자', chairNote: '자작나무 다리 · 울 패브릭', cushion: '양모 방석', cushionNote: '손으로 짠 제주 양모',
      less: '하나 빼기', more: '하나 더', qty: '수량', method: '결제수단', card: '신용카드', vbankMethod: '가상계좌 (무통장입금)', total: '합계',
      outageBanner: 'PortOne 결제 조회가 장애 중입니다. 서버가 결제를 확인하지 못합니다(502).', recover: '복구',
      empty: '장바구니가 비어 있습니다.', snippet: '이 페이지에 붙인 태그',
      order: '주문 · 서버 기록', polling: '웹훅 기다리는 중…', orderEmpty: '아직 주문이 없습니다. 결제하면 서버가 저장한 주문의 상태와 이력이 여기에 나옵니다.',
      history: '이력', webhooks: 'PortOne 알림 (웹훅)', deposit: '입금하기 (샌드박스)',
      payments: '결제 내역 (PortOne에서 본 결제)', fulfilment: '배송 (서버의 onPaid 훅)',
      lab: '시나리오', labIntro: '다음 결제창이 무엇을 할지 고른 뒤 결제 버튼을 누르세요. 결제창의 버튼을 직접 눌러도 됩니다.',
      nextWindow: '다음 결제창', sManual: '직접 고르기',
      reset: '시나리오 초기화',
      labScope: '다음 결제창과 모바일 결제, 돌아오지 못함은 이 탭에만 적용됩니다. PortOne 장애와 배송 시스템 장애는 서버 전체(모든 탭)에 적용됩니다.',
      resetDone: '초기화했습니다: 다음 결제창은 구매자를 기다리고, 장애는 없습니다.',
      sApprove: '승인', sDecline: '카드 거절',
      sClose: '창 닫기', sVbank: '가상계좌 발급',
      sTamper: '금액 위조',
      conditions: '상황', mobile: '모바일 결제', mobileHint: '결제창으로 이동했다가 이 페이지로 돌아옵니다(리다이렉트)',
      lost: '돌아오지 못함', lostHint: '결제 후 브라우저가 닫힙니다: 웹훅만 주문을 확정합니다',
      outage: 'PortOne 장애', outageHint: '결제 조회가 503으로 실패해 확인이 502가 됩니다',
      shippingDown: '배송 시스템 장애', shippingDownHint: '결제된 주문의 onPaid 훅이 실패합니다: 서버가 배송을 대기로 두고 간격을 늘려 가며 다시 시도합니다',
      devtools: '페이지 변조 (개발자 도구)', devtoolsTamper: '결제 버튼의 amount를 ₩100으로 바꾸기',
      devtoolsHint: '누군가 개발자 도구에서 하듯 요소의 amount 속성만 바꿉니다. 가격은 서버가 정하므로 결제 전에 거절됩니다.',
      noSandbox: '실제 PortOne 키로 실행 중입니다. 시나리오는 오프라인 샌드박스에서만 쓸 수 있습니다.',
      events: '이벤트 로그', clear: '지우기', logEmpty: '요소가 보낸 payment-success / payment-failure 이벤트와 detail이 여기에 쌓입니다.',
      cmsLink: 'CMS 예시: 한 페이지에 여러 버튼', footNote: '<portone-checkout> · PortOne V1 · V2 샌드박스',
      armed: {
        manual: '다음 결제창: 결제창의 버튼을 직접 누르세요.', approve: '다음 결제창: 잠시 뒤 스스로 승인합니다.',
        decline: '다음 결제창: 잠시 뒤 카드사가 한도초과로 거절합니다.', close: '다음 결제창: 잠시 뒤 구매자가 창을 닫습니다.',
        vbank: '다음 결제창: 잠시 뒤 가상계좌를 발급합니다. 입금은 나중에 합니다.', tamper: '다음 결제창: 잠시 뒤 구매자가 ₩1,000만 결제합니다. 서버가 알아채고 환불하며, 주문은 열린 채로 남습니다.',
      },
      devtoolsArmed: function (amount) { return '결제 버튼의 amount가 이제 ' + amount + '입니다. 결제 버튼을 누르면 서버가 자기 가격과 비교합니다.'; },
      states: { ready: '결제 대기', vbank_issued: '입금 대기', paid: '결제 완료', failed: '가상계좌 만료', cancelled: '취소됨' },
      via: { prepare: '주문 생성 (prepare)', complete: '결제 확인 (complete)', webhook: 'PortOne 웹훅', reconcile: '대사 (reconcile)', console: '관리자 콘솔' },
      dispositions: {
        settled: '이 주문의 결제', refunded_forgery: '금액 위조 · 환불됨', refunded_duplicate: '중복 결제 · 환불됨',
        refunded_closed: '닫힌 주문 · 환불됨', refund_pending: '환불 대기 · 서버가 다시 시도', not_paid: '결제되지 않음',
      },
      paymentStatus: function (status) { return 'PortOne: ' + status; },
      fulfilmentStates: { none: '결제 전', pending: '배송 대기 · 다시 시도 중', done: '배송 완료' },
      attempts: function (n) { return '시도 ' + n + '회'; },
      shippedRuns: function (runs, what) { return 'onPaid 훅 실행 ' + runs + '회: ' + what + ' 발송 (서버 로그에 shipped 한 줄)'; },
      notShipped: '아직 발송하지 않았습니다.',
      hookAnswer: function (status, answer, error) { return '상태 ' + status + ' → 서버 응답 ' + (answer === null ? '없음 (' + error + ')' : answer); },
      hookSigned: function (signed) { return signed ? '서명됨 (상점 웹훅 시크릿)' : '서명이 맞지 않음'; },
      idKeys: { v1: ['merchant_uid', 'imp_uid'], v2: ['paymentId', 'txId'] },
      items: function (first, count, firstQty) { return count > 1 ? first + ' 외 ' + (count - 1) + '건' : firstQty > 1 ? first + ' ' + firstQty + '개' : first; },
      amountLine: function (amount) { return '주문 금액 ' + amount; },
      itemsLine: function (what) { return '서버가 가격을 매긴 품목: ' + what; },
      r: {
        paid: '결제 완료', paidBody: function (amount, via) { return amount + '을 결제했습니다. 서버가 PortOne에서 결제를 확인한 뒤에만 이 표시가 나옵니다' + (via === 'redirect' ? ' (결제창에서 돌아온 뒤 확인).' : '.'); },
        vbank: '가상계좌 발급', vbankBody: function (a, amount, due) { return a.bank + ' ' + a.number + ' (예금주 ' + a.holder + ')로 ' + due + '까지 ' + amount + '을 입금해 주세요. 입금되면 PortOne 웹훅이 주문을 결제 완료로 바꿉니다.'; },
        vbankTry: '아래 주문의 ‘입금하기’로 입금해 보세요.',
        deposited: '입금 완료 · 결제 완료', depositedBody: function (amount) { return '가상계좌에 ' + amount + '이 입금되었습니다. PortOne 웹훅을 받은 서버가 결제를 다시 조회해 주문을 결제 완료로 바꿨습니다. 더 입금하지 마세요.'; },
        vbankClosed: '가상계좌 주문이 닫혔습니다', vbankClosedBody: function (state) { return '이 주문은 이제 ‘' + state + '’ 상태입니다. 이 가상계좌로 입금하지 마세요.'; },
        shippingPending: '배송은 아직입니다: 서버가 onPaid 훅을 다시 시도합니다(아래 주문).',
        closed: '결제하지 않았습니다', closedBody: function (m) { return '결제창을 닫았습니다. ' + m; },
        declined: '결제가 거절되었습니다', declinedBody: function (m, code) { return m + ' (' + code + ')'; },
        forgery: '금액 위조: 서버가 결제를 환불했습니다', forgeryBody: function (m, pending) { return '결제창에서 낸 금액이 주문 금액과 달라, 서버가 PortOne에서 ' + (pending ? '결제 취소를 요청했고 PortOne이 받을 때까지 다시 시도합니다(환불 대기).' : '결제를 취소(환불)했습니다.') + ' 주문은 그대로 열려 있으니 다시 결제하세요: 결제 버튼이 같은 주문을 다시 결제합니다. 서버: “' + m + '”'; },
        forgeryV2Body: function (m, pending) { return '결제창에서 낸 금액이 주문 금액과 달라, 서버가 PortOne에서 ' + (pending ? '결제 취소를 요청했고 PortOne이 받을 때까지 다시 시도합니다(환불 대기).' : '결제를 취소(환불)했습니다.') + ' PortOne V2는 한 paymentId로 한 번만 결제하므로, 다시 누르면 새 주문으로 결제합니다. 서버: “' + m + '”'; },
        stillTamper: ' 다음 결제창도 금액을 바꿉니다: 시나리오에서 ‘승인’이나 ‘직접 고르기’를 고르세요.',
        reused: 'PortOne이 이 주문번호를 받지 않았습니다', reusedBody: function (m, code) { return 'PortOne은 결제된 적이 있는 주문번호로 다시 결제하지 않습니다: “' + m + '” (' + code + '). 아무것도 결제되지 않았습니다. 다시 누르면 새 주문으로 결제합니다.'; },
        duplicate: '두 번째 결제: 서버가 환불했습니다', duplicateBody: function (m) { return '이 주문은 이미 다른 결제로 결제되어, 서버가 이 결제를 PortOne에서 취소(환불)했습니다. 주문은 그대로입니다. 서버: “' + m + '”'; },
        closedOrder: '닫힌 주문: 서버가 결제를 환불했습니다', closedOrderBody: function (m) { return '이 주문은 더 결제할 수 없어, 서버가 이 결제를 PortOne에서 취소(환불)했습니다. 서버: “' + m + '”'; },
        priceChanged: '가격이 달라 결제하지 않았습니다', priceChangedBody: function (asked, price, m) { return '결제 버튼의 금액(' + asked + ')이 서버가 정한 가격과 달라 서버가 주문을 받지 않았습니다. 서버의 가격은 ' + price + '입니다. 아무것도 결제되거나 저장되지 않았습니다. 결제 버튼을 서버의 가격으로 되돌렸으니 다시 누르세요. 서버: “' + m + '”'; },
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
      protocol: 'PortOne version', protocolV1: 'V1 (iamport.js)', protocolV2: 'V2 (browser-sdk.js)',
      cart: 'Your cart', chair: 'Norwegian swivel chair', chairNote: 'Birch legs · wool fabric', cushion: 'Wool seat cushion', cushionNote: 'Hand-woven Jeju wool',
      less: 'One less', more: 'One more', qty: 'Quantity', method: 'Payment method', card: 'Credit card', vbankMethod: 'Virtual account', total: 'Total',
      outageBanner: "PortOne's payment lookups are down. The server cannot confirm payments (502).", recover: 'Recover',
      empty: 'Your cart is empty.', snippet: 'The tag pasted into this page',
      order: 'Order · as the server stored it', polling: 'Waiting for the webhook…', orderEmpty: 'No order yet. Pay, and the order the server stored appears here with its state and history.',
      history: 'History', webhooks: 'PortOne notifications (webhooks)', deposit: 'Deposit (sandbox)',
      payments: 'Payments (as PortOne took them)', fulfilment: "Shipping (the server's onPaid hook)",
      lab: 'Scenarios', labIntro: 'Choose what the next payment window does, then press the pay button. You can also press the buttons in the window yourself.',
      nextWindow: 'Next payment window', sManual: 'Your choice',
      reset: 'Reset scenarios',
      labScope: 'The next window, mobile payment and return lost apply to this tab only. PortOne outage and shipping down apply to the whole server (every tab).',
      resetDone: 'Reset: the next window waits for the buyer, and nothing is down.',
      sApprove: 'Approve', sDecline: 'Decline',
      sClose: 'Close', sVbank: 'Virtual account',
      sTamper: 'Wrong amount',
      conditions: 'Conditions', mobile: 'Mobile payment', mobileHint: 'Leave for the payment window, then come back here (redirect)',
      lost: 'Return lost', lostHint: 'The browser closes after paying: only the webhook settles the order',
      outage: 'PortOne outage', outageHint: 'Payment lookups fail with 503, so verification answers 502',
      shippingDown: 'Shipping down', shippingDownHint: "The onPaid hook fails for paid orders: the server keeps the shipping pending and retries it, waiting longer each time",
      devtools: 'Tampered page (devtools)', devtoolsTamper: "Set the pay button's amount to ₩100",
      devtoolsHint: "Changes only the element's amount attribute, as someone would in the browser's devtools. The server decides the price, so it is refused before any payment.",
      noSandbox: 'Running with real PortOne keys: scenarios exist only with the offline sandbox.',
      events: 'Event log', clear: 'Clear', logEmpty: "The element's payment-success / payment-failure events and their detail pile up here.",
      cmsLink: 'CMS example: several buttons on one page', footNote: '<portone-checkout> · PortOne V1 · V2 sandbox',
      armed: {
        manual: "Next window: press the window's buttons yourself.", approve: 'Next window: approves by itself in a moment.',
        decline: 'Next window: in a moment the card issuer declines (over the limit).', close: 'Next window: in a moment the buyer closes it.',
        vbank: 'Next window: issues a virtual account in a moment; the deposit comes later.', tamper: 'Next window: in a moment the buyer pays only ₩1,000. The server notices and refunds it; the order stays open.',
      },
      devtoolsArmed: function (amount) { return "The pay button's amount is now " + amount + '. Press it: the server compares it with its own price.'; },
      states: { ready: 'Awaiting payment', vbank_issued: 'Awaiting deposit', paid: 'Paid', failed: 'Virtual account expired', cancelled: 'Cancelled' },
      via: { prepare: 'Order created (prepare)', complete: 'Payment verified (complete)', webhook: 'PortOne webhook', reconcile: 'Reconcile', console: 'Admin console' },
      dispositions: {
        settled: 'Pays this order', refunded_forgery: 'Wrong amount · refunded', refunded_duplicate: 'Second payment · refunded',
        refunded_closed: 'Closed order · refunded', refund_pending: 'Refund pending · the server retries', not_paid: 'Not paid',
      },
      paymentStatus: function (status) { return 'PortOne: ' + status; },
      fulfilmentStates: { none: 'Not paid yet', pending: 'Pending · being retried', done: 'Shipped' },
      attempts: function (n) { return n === 1 ? '1 attempt' : n + ' attempts'; },
      shippedRuns: function (runs, what) { return 'The onPaid hook ran ' + (runs === 1 ? 'once' : runs + ' times') + ': shipped ' + what + ' (a "shipped" line in the server\'s log)'; },
      notShipped: 'Nothing shipped yet.',
      hookAnswer: function (status, answer, error) { return 'status ' + status + ' → server answered ' + (answer === null ? 'nothing (' + error + ')' : answer); },
      hookSigned: function (signed) { return signed ? "signed (the store's webhook secret)" : 'signature does not match'; },
      idKeys: { v1: ['merchant_uid', 'imp_uid'], v2: ['paymentId', 'txId'] },
      items: function (first, count, firstQty) { return count > 1 ? first + ' and ' + (count - 1) + ' more' : firstQty > 1 ? first + ' ×' + firstQty : first; },
      amountLine: function (amount) { return 'Order amount ' + amount; },
      itemsLine: function (what) { return 'Items the server priced: ' + what; },
      r: {
        paid: 'Payment complete', paidBody: function (amount, via) { return 'You paid ' + amount + '. This shows only after the server confirmed the payment with PortOne' + (via === 'redirect' ? ' (after your return from the payment window).' : '.'); },
        vbank: 'Virtual account issued', vbankBody: function (a, amount, due) { return 'Please transfer ' + amount + ' to ' + a.bank + ' ' + a.number + ' (holder ' + a.holder + ') by ' + due + '. The deposit reaches the server as a PortOne webhook, which marks the order paid.'; },
        vbankTry: 'Try it with “Deposit” on the order below.',
        deposited: 'Deposit received · paid', depositedBody: function (amount) { return 'The ' + amount + ' transfer to the virtual account arrived. The server got PortOne\'s webhook, read the payment again and marked the order paid. No further transfer is needed.'; },
        vbankClosed: 'The virtual account order is closed', vbankClosedBody: function (state) { return 'This order is now “' + state + '”. Do not transfer to this virtual account.'; },
        shippingPending: 'Shipping is not done yet: the server retries its onPaid hook (see the order below).',
        closed: 'Not paid', closedBody: function (m) { return 'You closed the payment window. ' + m; },
        declined: 'The payment was declined', declinedBody: function (m, code) { return m + ' (' + code + ')'; },
        forgeryV2Body: function (m, pending) { return 'The amount paid in the window was not the order\'s, so the server ' + (pending ? 'asked PortOne to cancel the payment and retries until PortOne takes it (refund pending).' : 'cancelled (refunded) the payment at PortOne.') + ' PortOne V2 takes one payment per paymentId, so pressing again pays in a new order. Server: “' + m + '”'; },
        forgery: 'Wrong amount: the server refunded the payment', forgeryBody: function (m, pending) { return 'The amount paid in the window was not the order\'s, so the server ' + (pending ? 'asked PortOne to cancel the payment and retries until PortOne takes it (refund pending).' : 'cancelled (refunded) the payment at PortOne.') + ' Your order is still open: pay again, and the pay button pays the same order. Server: “' + m + '”'; },
        stillTamper: ' The next window changes the amount too: choose “Approve” or “Your choice” in the scenarios.',
        reused: 'PortOne refused this order number', reusedBody: function (m, code) { return 'PortOne does not take another payment under an order number it already took one for: “' + m + '” (' + code + '). Nothing was paid. Press again to pay in a new order.'; },
        duplicate: 'Second payment: the server refunded it', duplicateBody: function (m) { return 'This order was already paid by another payment, so the server cancelled (refunded) this one at PortOne. The order is unchanged. Server: “' + m + '”'; },
        closedOrder: 'Closed order: the server refunded the payment', closedOrderBody: function (m) { return 'This order can no longer be paid, so the server cancelled (refunded) this payment at PortOne. Server: “' + m + '”'; },
        priceChanged: 'Not the price: nothing was paid', priceChangedBody: function (asked, price, m) { return 'The pay button asked ' + asked + ', which is not the price the server decided, so the server refused the order. The server\'s price is ' + price + '. Nothing was paid and no order was stored. The pay button is back at the server\'s price: press it again. Server: “' + m + '”'; },
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
  if (query.has('imp_uid') || query.has('merchant_uid') || query.has('paymentId')) result = { kind: 'landing' };
  if (query.get('order')) result = { kind: 'watch', merchantUid: query.get('order') };
  var order = null; // the last order read from the server
  var hooks = null; // the webhooks the sandbox sent for it
  var shipped = null; // what the demo's onPaid hook shipped for it (one run per paid order)
  /** An order left open by a refunded forgery, which the next press pays again: `{ uid, items }` (the cart it was for). */
  var retry = read('sessionStorage', 'retry', null);
  var cartTotal = 0;
  var sandbox = false;
  var el = null;
  var ready = false;

  // ---- the element's results: listened for at once ----
  function onResult(event) {
    var d = event.detail;
    var uid = orderIdOf(d);
    var entry = { type: event.type, at: new Date().toISOString(), detail: d };
    var priceChanged = d.stage === 'prepare' && d.code === 'price_changed' && typeof d.amount === 'number';
    // What the page asked (the element's amount as it was): the server answered its own price instead.
    if (priceChanged && el) entry.asked = Number(el.getAttribute('amount'));
    log.unshift(entry);
    log.length = Math.min(log.length, 30);
    write('sessionStorage', 'log', log);
    result = { kind: 'event', entry: entry };
    write('sessionStorage', 'result', result);
    if (uid) write('sessionStorage', 'order', uid);
    // A refunded forgery leaves the order open: the next press pays that same order. Paid, it is done. (V1 only: V2
    // takes no second payment under a paymentId that was paid, refunded or not.)
    if (refundOf(d) === 'forgery' && d.merchantUid) pin(d.merchantUid);
    else if (retry && d.merchantUid === retry.uid && (event.type === 'payment-success' || d.code === 'F1002')) unpin();
    // The server decides the price: the pay button goes back to it.
    if (priceChanged && el) setAttr(el, 'amount', String(d.amount));
    if (!ready) return; // init() renders it and reads the order
    renderLog();
    renderResult();
    if (uid) track(uid, false);
  }
  /** The order's key on the server (GET /payments/:key): V1's merchant_uid, V2's paymentId. */
  function orderIdOf(d) {
    return d.merchantUid || d.paymentId || '';
  }
  document.addEventListener('payment-success', onResult);
  document.addEventListener('payment-failure', onResult);

  /** `forgery`, `duplicate` or `closed` when the verify endpoint refunded the payment (409), else null. */
  function refundOf(d) {
    var said = d.stage === 'verify' && d.verification ? d.verification.status : null;
    return said === 'forgery' || said === 'duplicate' || said === 'closed' ? said : null;
  }
  /** Point the element at an open order (its `merchant-uid`), for the cart it was priced for. */
  function pin(uid) {
    retry = { uid: uid, items: el ? el.getAttribute('items') : null };
    write('sessionStorage', 'retry', retry);
    if (el) setAttr(el, 'merchant-uid', uid);
  }
  function unpin() {
    retry = null;
    write('sessionStorage', 'retry', null);
    if (el) setAttr(el, 'merchant-uid', null);
  }

  // ---- helpers ----
  function t() {
    return T[lang];
  }
  function $(selector) {
    return document.querySelector(selector);
  }
  function money(amount, currency) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'ko-KR', { style: 'currency', currency: currency || 'KRW' }).format(amount);
  }
  /** An order's items as the buyer reads them: the shop's own product names, else the catalog id. */
  function itemsText(items) {
    return (items || [])
      .map(function (item) {
        var name = item.id === 'chair' || item.id === 'cushion' ? t()[item.id] : item.id;
        return name + ' ×' + item.quantity;
      })
      .join(', ');
  }
  function clock(date) {
    return new Date(date).toLocaleTimeString(lang === 'en' ? 'en-US' : 'ko-KR', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }
  /** An issued virtual account as the verify answer names it (V1: vbank_*, V2: bank, accountNumber…): one shape. */
  function accountOf(v) {
    return v.accountNumber !== undefined
      ? { bank: v.bank, number: v.accountNumber, holder: v.remitteeName, due: v.expiredAt ? new Date(v.expiredAt) : null }
      : { bank: v.vbank_name, number: v.vbank_num, holder: v.vbank_holder, due: new Date(v.vbank_date * 1000) };
  }
  /** A stored order's key (V2's GET /payments/:id answers `paymentId`), and a ledger payment's PortOne id. */
  function keyOf(o) {
    return o.version === 'v2' ? o.paymentId : o.merchant_uid;
  }
  function paymentIdOf(p) {
    return p.transactionId || p.imp_uid;
  }
  function day(date) {
    return (date || new Date(NaN)).toLocaleString(lang === 'en' ? 'en-US' : 'ko-KR', { month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
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
    setLocale(); // the payment window's
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
    cartTotal = total;
    $('#total').textContent = money(total);
    // The element: the cart sets what is bought (`items`, which the server prices), and the amount and order name the
    // buyer is shown; an empty cart disables it.
    var items = JSON.stringify(
      bought.map(function (line) {
        return { id: line.id, quantity: line.qty };
      }),
    );
    if (total > 0) {
      setAttr(el, 'items', items);
      setAttr(el, 'amount', String(total));
      setAttr(el, 'name', t().items(t()[bought[0].id], bought.length, bought[0].qty));
    }
    // Another cart is another order: the open one (a refunded forgery) is no longer what the button pays. (Pinned
    // before the page was ready, on a mobile landing, it is for the cart restored here.)
    if (retry && retry.items === null) write('sessionStorage', 'retry', (retry = { uid: retry.uid, items: items }));
    if (retry && retry.items !== items) unpin();
    el.toggleAttribute('disabled', total === 0);
    $('#empty-hint').hidden = total > 0;
    renderDevtools();
  }
  /** Says so when the element's amount is not the cart's (the devtools tamper, or a real edit in devtools). */
  function renderDevtools() {
    var shown = el.getAttribute('amount');
    var tampered = cartTotal > 0 && shown !== String(cartTotal);
    $('#devtools-note').textContent = tampered ? t().devtoolsArmed(money(Number(shown))) : '';
    $('#devtools-note').dataset.tampered = String(tampered);
  }

  // ---- scenarios (sandbox only) ----
  // The next window's choice, the mobile switch and the lost return are this tab's (sessionStorage): the page hands
  // them to the sandbox's iamport.js, which sends the choice with this page's own payments only.
  function scenario() {
    return read('sessionStorage', 'scenario', 'manual');
  }
  /** This tab's device: 'mobile', 'pc', or null (the user agent, or a developer's localStorage key, decides). */
  function tabDevice() {
    var device = read('sessionStorage', 'device', null);
    return device === 'mobile' || device === 'pc' ? device : null;
  }
  /** What the sandbox's iamport.js reads at each request_pay of this page (window.portoneSandbox). */
  function tellSandbox() {
    var chosen = scenario();
    var script = chosen === 'manual' ? null : chosen === 'tamper' ? { action: 'amount', amount: TAMPER_AMOUNT } : { action: chosen };
    // Each stand-in SDK speaks its PortOne's case: iamport.js `delay_ms`, browser-sdk.js `delayMs`.
    if (script) script[protocol() === 'v2' ? 'delayMs' : 'delay_ms'] = SCRIPT_DELAY_MS;
    window.portoneSandbox = { device: tabDevice(), script: script };
  }
  /** The chosen choice, for this tab's next payment windows (each of them, until another is chosen). */
  function arm() {
    tellSandbox();
    if (!sandbox) return;
    $('#armed').dataset.armed = scenario();
    renderArmed();
  }
  function renderArmed() {
    var armed = $('#armed').dataset.armed;
    if (armed) $('#armed').textContent = t().armed[armed];
  }
  function storedDevice() {
    try {
      return localStorage.getItem(DEVICE_KEY);
    } catch (_) {
      return null; /* storage blocked */
    }
  }
  function isMobile() {
    // As the sandbox's iamport.js decides: the page's choice, else the localStorage key, else the user agent.
    var forced = tabDevice() || storedDevice();
    return forced === 'mobile' || (forced !== 'pc' && /iPhone|iPod|iPad|Android|Mobile/i.test(navigator.userAgent));
  }
  function setMobile(on) {
    write('sessionStorage', 'device', on ? 'mobile' : 'pc');
    tellSandbox();
    $('#mobile').checked = isMobile();
    if (!on) setLostReturn(false);
  }
  /** The buyer's return is lost: PortOne sends them to a "browser closed" page that verifies nothing. */
  function setLostReturn(on) {
    write('sessionStorage', 'lost', on);
    $('#lost-return').checked = on;
    setAttr(el, 'm-redirect-url', on ? location.origin + '/closed.html' : null);
    if (on && !isMobile()) setMobile(true);
  }
  function setOutage(on) {
    $('#outage').checked = on;
    $('#outage-banner').hidden = !on;
    document.body.dataset.outage = String(on);
  }
  function setShippingDown(down) {
    $('#shipping-down').checked = down;
    document.body.dataset.shippingDown = String(down);
  }

  // ---- which PortOne pays (this tab's choice) ----
  /** The element's V1 attributes as the page's HTML wrote them, put back when the tab goes back to V1. */
  var v1Attributes = null;
  /** Whether this page can pay through V2: the server named a V2 store (the sandbox's; none with real keys). */
  function v2Offered() {
    var box = $('#protocol');
    return !!(box && box.dataset.storeId);
  }
  function protocol() {
    return v2Offered() && read('sessionStorage', 'protocol', 'v1') === 'v2' ? 'v2' : 'v1';
  }
  /**
   * The element's attributes for this tab's PortOne. V2: `store-id`, `channel-key` and V2's SDK, and none of V1's
   * (`merchant`, `pg`, `language`, an open order's `merchant-uid`: the element refuses V1 parameters beside
   * `store-id`). V1: the page's own V1 attributes back, and none of V2's. The cart's attributes (items, amount, name,
   * pay-method) and m-redirect-url (V2's redirectUrl too) serve both.
   */
  function applyProtocol() {
    var v2 = protocol() === 'v2';
    var box = $('#protocol');
    setAttr(el, 'store-id', v2 ? box.dataset.storeId : null);
    setAttr(el, 'channel-key', v2 ? box.dataset.channelKey : null);
    setAttr(el, 'merchant', v2 ? null : v1Attributes.merchant);
    setAttr(el, 'pg', v2 ? null : v1Attributes.pg);
    setAttr(el, 'sdk-src', v2 ? box.dataset.sdkSrc : v1Attributes.sdkSrc);
    setAttr(el, 'merchant-uid', !v2 && retry ? retry.uid : null);
    setLocale();
    document.body.dataset.protocol = v2 ? 'v2' : 'v1';
    var radio = document.querySelector('input[name="protocol"][value="' + (v2 ? 'v2' : 'v1') + '"]');
    if (radio) radio.checked = true;
    tellSandbox();
  }
  /** The payment window's language: V1's `language` attribute; V2's `locale`, a request field (`params`). */
  function setLocale() {
    if (!el) return;
    var v2 = protocol() === 'v2';
    setAttr(el, 'language', v2 ? null : lang);
    var locale = lang === 'en' ? 'EN_US' : 'KO_KR';
    // A property: set once the element is defined (set before, it would hide the class's own).
    if (window.customElements) {
      customElements.whenDefined('portone-checkout').then(function () {
        el.params = protocol() === 'v2' ? { locale: locale } : undefined;
      });
    }
  }
  /**
   * Switched after the element connected: connect it again, so that it connects as the other PortOne (V2's part
   * claims a V2 landing on connect, and each warms its own SDK up). Not while a payment is under way.
   */
  function reconnect() {
    if (!el.matches(':defined') || ['loading', 'paying', 'verifying'].indexOf(el.getAttribute('state')) >= 0) return;
    el.parentNode.insertBefore(el, el.nextSibling);
  }
  function setProtocol(next) {
    write('sessionStorage', 'protocol', next);
    // Another PortOne is another order: an open V1 order is not what the button pays in V2.
    if (retry) unpin();
    applyProtocol();
    reconnect();
    renderSnippet();
  }

  // ---- result banner ----
  function describe() {
    var r = t().r;
    if (!result) return null;
    if (result.kind === 'landing') return { tone: 'info', title: r.landing, body: r.landingBody };
    if (result.kind === 'watch') {
      var settled = order && keyOf(order) === result.merchantUid && order.state === 'paid';
      return settled ? { tone: 'ok', title: r.watchPaid, body: r.watchPaidBody } : { tone: 'info', title: r.watch, body: r.watchBody };
    }
    var entry = result.entry;
    var d = entry.detail;
    if (d.stage === 'prepare' && d.code === 'price_changed' && typeof d.amount === 'number') {
      var asked = typeof entry.asked === 'number' && !isNaN(entry.asked) ? money(entry.asked, d.currency) : '?';
      return { tone: 'bad', title: r.priceChanged, body: r.priceChangedBody(asked, money(d.amount, d.currency), d.message) };
    }
    if (entry.type === 'payment-success') {
      // The order as last read, if it is this one: a virtual account's order moves on after the verify answer.
      var now = order && keyOf(order) === orderIdOf(d) ? order : null;
      // The order as last read, else what the verify answer said (it waited for the hook's first attempt).
      var shipping = now && now.fulfilment ? now.fulfilment.state : d.verification && d.verification.fulfilment;
      if (d.status === 'ready' || d.status === 'virtual_account_issued') {
        // Deposited (PortOne's webhook made the order paid): nothing more to transfer.
        if (now && now.state === 'paid') return { tone: 'ok', title: r.deposited, body: r.depositedBody(money(now.amount, now.currency)) + (shipping === 'pending' ? ' ' + r.shippingPending : '') };
        if (now && (now.state === 'cancelled' || now.state === 'failed')) return { tone: 'neutral', title: r.vbankClosed, body: r.vbankClosedBody(t().states[now.state]) };
        var deposit = sandbox && now && now.state === 'vbank_issued' ? ' ' + r.vbankTry : '';
        var account = accountOf(d.verification);
        return { tone: 'info', title: r.vbank, body: r.vbankBody(account, money(d.amount), day(account.due)) + deposit };
      }
      return { tone: 'ok', title: r.paid, body: r.paidBody(money(d.amount), d.via) + (shipping === 'pending' ? ' ' + r.shippingPending : '') };
    }
    if (d.stage === 'payment') {
      if (d.cancelled) return { tone: 'neutral', title: r.closed, body: r.closedBody(d.message) };
      if (d.code === 'F1002' || d.code === 'PaymentAlreadyPaid') return { tone: 'warn', title: r.reused, body: r.reusedBody(d.message, d.code) };
      return { tone: 'bad', title: r.declined, body: r.declinedBody(d.message, d.code) };
    }
    if (d.stage === 'verify') {
      var refund = refundOf(d);
      if (refund === 'forgery') {
        var again = sandbox && scenario() === 'tamper' ? r.stillTamper : '';
        var body = d.version === 'v2' ? r.forgeryV2Body : r.forgeryBody;
        return { tone: 'bad', title: r.forgery, body: body(d.message, d.verification.refund === 'pending') + again };
      }
      if (refund === 'duplicate') return { tone: 'warn', title: r.duplicate, body: r.duplicateBody(d.message) };
      if (refund === 'closed') return { tone: 'warn', title: r.closedOrder, body: r.closedOrderBody(d.message) };
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
  /** The ids a detail carries, under its PortOne's names: `merchant_uid … · imp_uid …` or `paymentId … · txId …`. */
  function idsLine(d) {
    var v2 = d.version === 'v2';
    var keys = t().idKeys[v2 ? 'v2' : 'v1'];
    var values = v2 ? [d.paymentId, d.txId] : [d.merchantUid, d.impUid];
    return values
      .map(function (value, i) {
        return value ? keys[i] + ' ' + value : '';
      })
      .filter(Boolean)
      .join(' · ');
  }
  function renderLog() {
    var list = $('#log');
    $('#log-empty').hidden = log.length > 0;
    list.replaceChildren.apply(
      list,
      log.map(function (entry, index) {
        var item = make('li', 'entry ' + (entry.type === 'payment-success' ? 'success' : 'failure'));
        item.dataset.type = entry.type;
        // The order's key on the server, whichever PortOne: V1's merchant_uid, V2's paymentId.
        item.dataset.merchantUid = orderIdOf(entry.detail);
        item.dataset.version = entry.detail.version || 'v1';
        var head = make('div', 'entry-head');
        head.append(make('code', 'tag', entry.type), make('span', 'sum', summary(entry)), make('time', '', clock(entry.at)));
        head.lastChild.setAttribute('datetime', entry.at);
        var ids = idsLine(entry.detail);
        if (ids) head.append(make('code', 'ids', ids));
        var details = make('details');
        details.open = index === 0;
        details.append(make('summary', '', 'detail'), make('pre', '', JSON.stringify(entry.detail, null, 2)));
        item.append(head, details);
        return item;
      }),
    );
  }

  // ---- the order, as the server stored it ----
  var tracking = { uid: null, until: 0, shippingUntil: 0, watch: false, timer: 0, seq: 0 };
  /** Read the order now and for a while (`watch`: until a webhook settles it; and while its shipping is retried). */
  function track(uid, watch) {
    tracking.uid = uid;
    tracking.watch = watch;
    tracking.until = Date.now() + (watch ? WATCH_MS : RECENT_MS);
    tracking.shippingUntil = Date.now() + SHIPPING_MS;
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
    // The webhooks of the order's PortOne (a V2 order is named by its paymentId).
    var hooksRead = sandbox
      ? orderRead.then(function (read) {
          var key = read.version === 'v2' ? 'paymentId' : 'merchant_uid';
          return api('GET', '/demo/api/webhooks?' + key + '=' + encodeURIComponent(uid)).then(function (json) {
            return json.deliveries;
          });
        })
      : Promise.resolve(null);
    var shippedRead = api('GET', '/demo/api/shipments?merchant_uid=' + encodeURIComponent(uid)).then(
      function (json) {
        return json.shipments;
      },
      function () {
        return null;
      },
    );
    Promise.all([orderRead, hooksRead, shippedRead]).then(
      function (answers) {
        if (seq !== tracking.seq) return;
        order = answers[0];
        hooks = answers[1];
        shipped = answers[2];
        var waiting = tracking.watch && order.state === 'ready';
        var shipping = !!order.fulfilment && order.fulfilment.state === 'pending';
        renderOrder();
        renderResult();
        $('#order-polling').hidden = !(waiting && Date.now() < tracking.until);
        if (Date.now() < tracking.until && (waiting || !tracking.watch)) tracking.timer = setTimeout(poll, 500);
        else if (shipping && Date.now() < tracking.shippingUntil) tracking.timer = setTimeout(poll, 1000);
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
    var v2 = order.version === 'v2';
    box.dataset.merchantUid = keyOf(order); // the order's key on the server: V1's merchant_uid, V2's paymentId
    box.dataset.version = v2 ? 'v2' : 'v1';
    box.dataset.state = order.state || '';
    $('#order-key').textContent = t().idKeys[v2 ? 'v2' : 'v1'][0];
    $('#order-uid').textContent = keyOf(order);
    var state = $('#order-state');
    state.textContent = order.state ? t().states[order.state] + ' · ' + order.state : '—';
    state.className = 'state state-' + (order.state || 'none');
    $('#order-amount').textContent = order.amount ? t().amountLine(money(order.amount, order.currency)) + (order.name ? ' · ' + order.name : '') : '';
    $('#order-items').textContent = order.items && order.items.length ? t().itemsLine(itemsText(order.items)) : '';
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
    // Every payment PortOne took for the order, and what the server made of it (the one that pays it, or a refund).
    var payments = order.payments || [];
    $('#payments-box').hidden = payments.length === 0;
    var ledger = $('#payments');
    ledger.replaceChildren.apply(
      ledger,
      payments.map(function (p) {
        var item = make('li', 'pay disp-' + p.disposition);
        if (v2) item.dataset.txId = p.transactionId;
        else item.dataset.impUid = p.imp_uid;
        item.dataset.disposition = p.disposition;
        item.dataset.status = p.status;
        item.append(
          make('code', 'pay-uid', t().idKeys[v2 ? 'v2' : 'v1'][1] + ' ' + paymentIdOf(p)),
          make('span', 'pay-amount', money(p.amount, p.currency)),
          make('span', 'pay-disp', t().dispositions[p.disposition] || p.disposition),
          make('span', 'pay-status', t().paymentStatus(p.status)),
          make('time', '', clock(p.at)),
        );
        return item;
      }),
    );
    // The fulfilment the server owes once the order is paid: the demo's onPaid hook "ships" it.
    var f = order.fulfilment;
    var owed = !!f && f.state !== 'none';
    $('#fulfilment-box').hidden = !owed;
    var line = $('#fulfilment');
    line.dataset.state = owed ? f.state : '';
    line.dataset.attempts = owed ? String(f.attempts) : '';
    line.className = 'fulfilment fulfilment-' + (owed ? f.state : 'none');
    line.textContent = owed ? [t().fulfilmentStates[f.state] || f.state, t().attempts(f.attempts)].concat(f.at ? [clock(f.at)] : []).join(' · ') : '';
    var runs = shipped || [];
    $('#shipped').dataset.runs = String(runs.length);
    $('#shipped').textContent = !owed ? '' : runs.length ? t().shippedRuns(runs.length, itemsText(runs[0].items) || money(runs[0].amount, runs[0].currency)) : t().notShipped;
    $('#webhooks-box').hidden = !hooks || hooks.length === 0;
    var list = $('#webhooks');
    list.replaceChildren.apply(
      list,
      (hooks || []).map(function (hook) {
        var item = make('li', hook.answer === 200 ? 'hook ok' : 'hook bad');
        // A V2 webhook is signed (Standard Webhooks): whether its signature is the store's secret's, before the answer.
        var said = (typeof hook.signed === 'boolean' ? t().hookSigned(hook.signed) + ' · ' : '') + t().hookAnswer(hook.status, hook.answer, hook.error);
        if (typeof hook.signed === 'boolean') item.dataset.signed = String(hook.signed);
        item.dataset.answer = String(hook.answer);
        item.append(make('time', '', clock(hook.at * 1000)), make('span', '', said));
        return item;
      }),
    );
    $('#deposit').hidden = !(sandbox && order.state === 'vbank_issued' && (v2 ? order.transactionId : order.imp_uid));
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
    v1Attributes = { merchant: el.getAttribute('merchant'), pg: el.getAttribute('pg'), sdkSrc: el.getAttribute('sdk-src') };
    $('#protocol').hidden = !v2Offered();
    // Restore what a mobile trip (or a reload) left behind.
    var cart = read('sessionStorage', 'cart', null);
    if (cart) {
      cartLines().forEach(function (line, i) {
        if (typeof cart[i] === 'number') line.input.value = String(cart[i]);
      });
    }
    // This tab's PortOne (before the element upgrades, usually; else a V2 one connects again as V2, which is when its
    // part claims a V2 landing).
    applyProtocol();
    if (protocol() === 'v2') reconnect();
    var method = read('sessionStorage', 'method', 'card');
    document.querySelector('input[name="method"][value="' + method + '"]').checked = true;
    setAttr(el, 'pay-method', method === 'vbank' ? 'vbank' : null);
    var chosen = document.querySelector('input[name="scenario"][value="' + scenario() + '"]');
    if (chosen) chosen.checked = true;
    // An older demo kept these for every tab and every later visit: now they are the tab's.
    try {
      localStorage.removeItem('demo.scenario');
      localStorage.removeItem('demo.lost');
    } catch (_) {
      /* storage blocked */
    }
    tellSandbox();
    $('#mobile').checked = isMobile();
    if (read('sessionStorage', 'lost', false)) setLostReturn(true);
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
    document.querySelectorAll('input[name="protocol"]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (radio.checked) setProtocol(radio.value);
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
        write('sessionStorage', 'scenario', radio.value);
        renderResult(); // a banner may point at the scenario
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
    $('#shipping-down').addEventListener('change', function () {
      var down = $('#shipping-down').checked;
      $('#shipping-down').disabled = true;
      api('PUT', '/demo/api/shipping', { down: down })
        .then(function (json) {
          setShippingDown(json.shipping_down);
          // Back up: watch the open order's shipping go through on the server's next retry.
          if (!json.shipping_down && order && order.fulfilment && order.fulfilment.state === 'pending') track(keyOf(order), false);
        })
        .catch(function () {
          setShippingDown(!down);
        })
        .finally(function () {
          $('#shipping-down').disabled = false;
        });
    });
    $('#devtools-tamper').addEventListener('click', function () {
      // As someone would in the browser's devtools: only the attribute, nothing else on the page.
      el.setAttribute('amount', String(DEVTOOLS_AMOUNT));
    });
    $('#reset-lab').addEventListener('click', function () {
      // This tab's choices…
      write('sessionStorage', 'scenario', 'manual');
      write('sessionStorage', 'device', null);
      try {
        localStorage.removeItem(DEVICE_KEY);
      } catch (_) {
        /* storage blocked */
      }
      document.querySelector('input[name="scenario"][value="manual"]').checked = true;
      setLostReturn(false);
      $('#mobile').checked = isMobile();
      arm();
      renderCart(); // undoes a devtools tamper: the element's amount is the cart's again
      renderResult();
      // …and the server's (another tab may have switched them on since this page read them). The button keeps the
      // focus (it is not disabled meanwhile): the result is announced in the armed line (aria-live).
      api('POST', '/demo/api/reset').then(
        function (status) {
          if (status.sandbox) setOutage(status.outage);
          setShippingDown(status.shipping_down);
          $('#armed').textContent = t().resetDone;
        },
        function () {
          /* the switches show what the server said last */
        },
      );
    });
    $('#recover').addEventListener('click', function () {
      outage(false);
      // The banner (and this button) goes away: the focus moves on to the pay button, the next thing to press.
      var pay = el.shadowRoot && el.shadowRoot.querySelector('button');
      if (pay) pay.focus();
    });
    $('#deposit').addEventListener('click', function () {
      $('#deposit').disabled = true;
      var key = keyOf(order);
      api('POST', '/demo/api/deposit', order.version === 'v2' ? { paymentId: key } : { imp_uid: order.imp_uid })
        .then(function () {
          track(key, false);
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
    new MutationObserver(function () {
      renderSnippet();
      renderDevtools();
    }).observe(el, { attributes: true });

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
        $('#reset-lab').hidden = !sandbox;
        $('#no-sandbox').hidden = sandbox;
        document.body.dataset.sandbox = String(sandbox);
        if (sandbox) {
          setOutage(status.outage);
          arm();
        }
        setShippingDown(!!status.shipping_down);
        var watching = !!(result && result.kind === 'watch');
        var last = watching ? result.merchantUid : read('sessionStorage', 'order', null);
        if (last) track(last, watching);
      });
    if (result && result.kind === 'watch') write('sessionStorage', 'result', result);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
