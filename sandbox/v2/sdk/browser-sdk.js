// @ts-check
/**
 * PortOne V2 sandbox: a stand-in for https://cdn.portone.io/v2/browser-sdk.js (a classic script defining
 * `window.PortOne`), also what `@portone/browser-sdk/v2` loads after `__INTERNAL__setPortOneSdkUrl(sandbox.v2.sdkUrl)`.
 *
 * `PortOne.requestPayment(request)` returns a Promise of the PaymentResponse `{transactionType: 'PAYMENT', paymentId,
 * txId, code?, message?, pgCode?, pgMessage?}`: `code` present means a failure (bad input: `InvalidArgument`; PortOne's
 * refusals: `PaymentAlreadyPaid`, `AmountNotEqualToPredefined`, `StoreNotFound`; the PG's: `FAILURE_TYPE_PG`). It never
 * rejects for those. On PC it opens the sandbox's test payment window over the page and resolves with the window's
 * answer; with `redirectUrl` on mobile, or with `forceRedirect: true`, the page goes to the window and then to
 * `redirectUrl?paymentId=…&txId=…[&code=…&message=…&pgCode=…&pgMessage=…]`, and the promise resolves with nothing
 * (the page is gone). Refusals before the payment starts always resolve the promise, redirect or not.
 *
 * Device: as the V1 stand-in (iamport.js): the user agent (iPhone|iPod|iPad|Android|Mobile), unless the page says
 * otherwise (`window.portoneSandbox.device`), or localStorage['portone-sandbox-device'] says 'mobile' or 'pc', or a
 * scripted choice forces one. The page's own choices (sandbox only): `window.portoneSandbox = { device, script,
 * channelType }`, `script` = `{ action, amount, pgCode, pgMessage, delayMs }` (action: approve, decline, close, vbank,
 * amount) for this page's payment windows, `channelType` 'LIVE' (default) or 'TEST' for the payments it makes.
 */
(function () {
  'use strict';
  var w = /** @type {any} */ (window);
  if (w.PortOne && w.PortOne.sandbox) return; // loaded twice: keep the first

  var current = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  var sandboxOrigin = new URL(current ? current.src : location.href).origin;
  var DEVICE_KEY = 'portone-sandbox-device';
  var REQUIRED = ['storeId', 'paymentId', 'orderName', 'totalAmount', 'currency', 'payMethod'];

  /** @type {null | { resolve: (value: unknown) => void, overlay: HTMLElement, frame: HTMLIFrameElement, restoreFocus: Element | null }} */
  var pending = null;

  /** @returns {{ device?: unknown, script?: unknown, channelType?: unknown }} */
  function pageChoices() {
    var page = w.portoneSandbox;
    return page && typeof page === 'object' ? page : {};
  }

  function device() {
    var chosen = pageChoices().device;
    if (chosen === 'mobile' || chosen === 'pc') return chosen;
    try {
      var forced = window.localStorage.getItem(DEVICE_KEY);
      if (forced === 'mobile' || forced === 'pc') return forced;
    } catch (_) {
      /* storage blocked: the user agent decides */
    }
    return /iPhone|iPod|iPad|Android|Mobile/i.test(navigator.userAgent) ? 'mobile' : 'pc';
  }

  /** The SDK's own checks, before anything is sent: the field named. @param {any} request @returns {string | null} */
  function invalid(request) {
    if (!request || typeof request !== 'object') return 'request: an object is required';
    for (var i = 0; i < REQUIRED.length; i++) {
      var field = REQUIRED[i];
      if (request[field] === undefined || request[field] === null || request[field] === '') return field + ': required';
    }
    if (!request.channelKey && !request.channelGroupId) return 'channelKey or channelGroupId: one is required';
    if (typeof request.totalAmount !== 'number' || !Number.isSafeInteger(request.totalAmount) || request.totalAmount < 0) {
      return 'totalAmount: an integer in the currency\u2019s minor unit is required (got ' + JSON.stringify(request.totalAmount) + ')';
    }
    if (request.redirectUrl !== undefined && !/^https?:\/\//.test(String(request.redirectUrl))) return 'redirectUrl: must start with http:// or https://';
    if (request.noticeUrls !== undefined && !Array.isArray(request.noticeUrls)) return 'noticeUrls: an array of URLs is required';
    return null;
  }

  /** @param {any} request @param {string} code @param {string} message */
  function failure(request, code, message) {
    return { transactionType: 'PAYMENT', paymentId: request && typeof request.paymentId === 'string' ? request.paymentId : '', txId: '', code: code, message: message };
  }

  function closeOverlay() {
    if (!pending) return null;
    var done = pending;
    pending = null;
    if (done.restoreFocus instanceof HTMLElement) done.restoreFocus.focus();
    done.overlay.style.display = 'none';
    // Removed a moment later: the key that closed the window may still be going to its frame.
    setTimeout(function () {
      done.overlay.remove();
    }, 100);
    return done;
  }

  /** @param {string} url @param {(value: unknown) => void} resolve */
  function openOverlay(url, resolve) {
    var overlay = document.createElement('div');
    overlay.className = 'portone-sandbox-dialog';
    overlay.setAttribute('style', 'position:fixed;inset:0;z-index:99999;background:rgba(0,0,0,.55);display:block');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'PortOne 결제창 (sandbox)');
    var frame = document.createElement('iframe');
    frame.src = url;
    frame.title = 'PortOne 결제창 (sandbox)';
    frame.setAttribute('style', 'border:0;width:100%;height:100%;background:transparent');
    frame.setAttribute('allow', 'payment');
    overlay.appendChild(frame);
    overlay.addEventListener('mousedown', function (event) {
      if (event.target !== overlay) return;
      event.preventDefault();
      frame.focus();
    });
    // A second requestPayment while a window is open replaces it: the older promise resolves as a closed window would.
    var restoreFocus = pending ? pending.restoreFocus : document.activeElement;
    if (pending) {
      pending.overlay.remove();
      pending.resolve(undefined);
    }
    pending = { resolve: resolve, overlay: overlay, frame: frame, restoreFocus: restoreFocus };
    document.body.appendChild(overlay);
    frame.focus();
  }

  // While the window is open the focus belongs to it; Tab on the page's side goes into it, Escape closes it.
  document.addEventListener(
    'keydown',
    function (event) {
      if (!pending) return;
      if (event.key === 'Tab' || (event.key === 'Unidentified' && event.code === 'Tab')) {
        event.preventDefault();
        pending.frame.focus();
      } else if (event.key === 'Escape' && pending.frame.contentWindow) {
        pending.frame.contentWindow.postMessage(JSON.stringify({ action: 'sandbox-close' }), sandboxOrigin);
      }
    },
    true,
  );

  window.addEventListener('message', function (event) {
    // Only the open window's answer counts.
    if (event.origin !== sandboxOrigin || !pending || event.source !== pending.frame.contentWindow) return;
    var message;
    try {
      message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (_) {
      return;
    }
    if (!message || message.action !== 'payment') return;
    var done = closeOverlay();
    if (done) done.resolve(message.data);
  });

  /** @param {any} request @returns {Promise<unknown>} */
  function requestPayment(request) {
    var problem = invalid(request);
    if (problem) return Promise.resolve(failure(request, 'InvalidArgument', problem));
    var choices = pageChoices();
    var body = {
      device: device(),
      pageUrl: location.href,
      userAgent: navigator.userAgent,
      channelType: choices.channelType === 'TEST' || choices.channelType === 'LIVE' ? choices.channelType : null,
      script: choices.script && typeof choices.script === 'object' ? Object.assign({}, choices.script) : null,
      request: request,
    };
    return fetch(sandboxOrigin + '/__sandbox/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.error) return answer.error;
        if (!answer.windowUrl) return failure(request, 'BadRequest', answer.message || 'the sandbox did not open a payment window');
        if (answer.redirect) {
          location.href = answer.windowUrl;
          return undefined;
        }
        return new Promise(function (resolve) {
          openOverlay(answer.windowUrl, resolve);
        });
      })
      .catch(function (/** @type {any} */ error) {
        return failure(request, 'Unavailable', '결제창을 열 수 없습니다: ' + (error && error.message ? error.message : String(error)));
      });
  }

  /** @param {string} name */
  function notInSandbox(name) {
    return function () {
      return Promise.resolve({ code: 'Unimplemented', message: 'PortOne sandbox: ' + name + ' is not played by the sandbox' });
    };
  }

  w.PortOne = {
    sandbox: { origin: sandboxOrigin, deviceKey: DEVICE_KEY },
    requestPayment: requestPayment,
    requestIssueBillingKey: notInSandbox('requestIssueBillingKey'),
    requestIssueBillingKeyAndPay: notInSandbox('requestIssueBillingKeyAndPay'),
    requestIdentityVerification: notInSandbox('requestIdentityVerification'),
    loadPaymentUI: notInSandbox('loadPaymentUI'),
    loadIssueBillingKeyUI: notInSandbox('loadIssueBillingKeyUI'),
  };
})();
