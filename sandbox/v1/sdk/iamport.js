// @ts-check
/**
 * PortOne V1 sandbox: a stand-in for https://cdn.iamport.kr/v1/iamport.js.
 *
 * It offers what merchants' pages call (IMP.init, IMP.agency, IMP.request_pay, IMP.close) and answers as
 * PortOne does: on PC an overlay with the payment window in an iframe and the callback with the frame's
 * response; on mobile a full-page trip to the payment window and back to m_redirect_url with PortOne's
 * query parameters. Like the real SDK it alerts, and never calls back, when IMP.init was not called or
 * request_pay got no parameters, and it swallows exceptions thrown by the callback.
 *
 * Device: the user agent decides (iPhone|iPod|iPad|Android|Mobile, as iamport.js does), unless the page says
 * otherwise (below), or localStorage['portone-sandbox-device'] says 'mobile' or 'pc', or a scripted choice forces one.
 *
 * The page's own choices (sandbox only; read at each request_pay; this page alone: nothing is stored, so another
 * page or tab of the same site is not affected): `window.portoneSandbox = { device, script }`, with `device` 'pc' or
 * 'mobile', and `script` a choice for the payment window of this page's payments, as the control API's scripts
 * (`{ action, amount, error_code, error_msg, shape, delay_ms }`, action one of approve, decline, close, vbank,
 * amount). A script queued through the control API for the order comes first.
 */
(function () {
  'use strict';
  var w = /** @type {any} */ (window);
  if (w.IMP && w.IMP.sandbox) return; // loaded twice: keep the first, and its IMP.init

  var current = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  var sandboxOrigin = new URL(current ? current.src : location.href).origin;
  var DEVICE_KEY = 'portone-sandbox-device';

  /** @type {{ userCode: string | null, tierCode: string | null }} */
  var merchant = { userCode: null, tierCode: null };
  /** @type {null | { callback: Function | undefined, overlay: HTMLElement, frame: HTMLIFrameElement, restoreFocus: Element | null }} */
  var pending = null;

  /** `window.portoneSandbox`, when the page set one. @returns {{ device?: unknown, script?: unknown }} */
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
      /* storage blocked: fall back to the user agent */
    }
    return /iPhone|iPod|iPad|Android|Mobile/i.test(navigator.userAgent) ? 'mobile' : 'pc';
  }

  /** @param {Function | undefined} callback @param {Record<string, unknown>} response */
  function callBack(callback, response) {
    if (typeof callback !== 'function') return;
    try {
      callback(response);
    } catch (error) {
      // iamport.js swallows what the merchant's callback throws.
      console.log(error);
    }
  }

  /**
   * Without a callback on mobile, a failure before the payment starts is reported by sending the buyer to
   * m_redirect_url, the query joined naively then encodeURI'd, as iamport.js 1.1.5+ does. Without
   * m_redirect_url iamport.js goes to PortOne's own fail page with `success=false` (not `imp_success`);
   * the sandbox's landing page stands in for it.
   * @param {string | undefined} mRedirectUrl @param {Record<string, unknown>} error
   */
  function redirectFailure(mRedirectUrl, error) {
    var base = mRedirectUrl || sandboxOrigin + '/__sandbox/landing';
    var flag = mRedirectUrl ? 'imp_success=false' : 'success=false';
    var pairs = ['imp_uid=' + (error.imp_uid || ''), 'merchant_uid=' + error.merchant_uid, flag, 'error_msg=' + error.error_msg];
    location.href = encodeURI(base + (base.indexOf('?') === -1 ? '?' : '&') + pairs.join('&'));
  }

  function closeOverlay() {
    if (!pending) return;
    var done = pending;
    pending = null;
    if (done.restoreFocus instanceof HTMLElement) done.restoreFocus.focus();
    // Nothing to give it back to (the focus was on <body>): the hidden window must not keep it until it is removed.
    var still = document.activeElement;
    if (still instanceof HTMLElement && done.overlay.contains(still)) {
      still.blur();
      // WebKit leaves the focus where it is when blur() is called on a frame whose own document has it (HTML's blur()
      // acts on the focused area, which is inside the frame): the overlay takes it into the page, then lets it go.
      if (document.activeElement === still) {
        done.overlay.tabIndex = -1;
        done.overlay.focus({ preventScroll: true });
        done.overlay.blur();
      }
    }
    // Hidden now, removed a moment later: the frame still has the keyboard focus in the browser when the key that
    // closed it (Enter, Escape) comes up, and a key-up routed to a frame already gone is lost (Chromium's automation
    // then never acknowledges it: 6 of 250 key-ups hung, 0 of 250 with this delay).
    done.overlay.style.display = 'none';
    done.overlay.className = '';
    setTimeout(function () {
      done.overlay.remove();
    }, 100);
    document.body.classList.remove('imp-payment-progress');
    return done;
  }

  /** @param {string} url @param {Function | undefined} callback */
  function openOverlay(url, callback) {
    var overlay = document.createElement('div');
    overlay.className = 'imp-dialog';
    overlay.setAttribute('style', 'position:fixed;inset:0;z-index:99999;background:rgba(0,0,0,.55);display:block');
    // A modal dialog: assistive technology is told so, and the focus stays in it (below, and in the window itself).
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'PortOne 결제창 (sandbox)');
    // A press on the dim area around the window must not take the focus out of it.
    overlay.addEventListener('mousedown', function (event) {
      if (event.target !== overlay) return;
      event.preventDefault();
      frame.focus();
    });
    var frame = document.createElement('iframe');
    frame.src = url;
    frame.title = 'PortOne 결제창 (sandbox)';
    frame.setAttribute('style', 'border:0;width:100%;height:100%;background:transparent');
    frame.setAttribute('allow', 'payment');
    overlay.appendChild(frame);
    // A second request_pay while a window is open replaces it, as iamport.js's one payment frame moves on
    // to the newer request: the older callback is never called, and no orphaned overlay is left behind.
    var restoreFocus = pending ? pending.restoreFocus : document.activeElement;
    if (pending) pending.overlay.remove();
    pending = { callback: callback, overlay: overlay, frame: frame, restoreFocus: restoreFocus };
    document.body.appendChild(overlay);
    document.body.classList.add('imp-payment-progress');
    // Focus the frame now, before its page loads, so the window can focus its main choice as its script runs
    // (a cross-origin frame may move focus inside only once it has it). Not again on load: focusing the frame
    // then would take the focus back from the choice the window gave it.
    frame.focus();
  }

  /**
   * The Tab key, with or without Shift. WebKitGTK names Shift+Tab 'Unidentified' (the X key it gets is ISO_Left_Tab,
   * which it has no name for), though its code is 'Tab' as everywhere.
   * @param {KeyboardEvent} event
   */
  function isTab(event) {
    return event.key === 'Tab' || (event.key === 'Unidentified' && event.code === 'Tab');
  }

  /**
   * Focus the window's frame from a key handler. Firefox refuses focus() on a cross-origin (out-of-process) frame
   * while it dispatches a key event to the page, and takes it a task later; other engines take it at once.
   * @param {HTMLIFrameElement} frame
   */
  function focusWindowFromKey(frame) {
    frame.focus();
    if (document.activeElement === frame) return;
    setTimeout(function () {
      if (pending && pending.frame === frame && document.activeElement !== frame) frame.focus();
    }, 0);
  }

  // While the window is open the focus belongs to it, as to any modal dialog. The window keeps Tab and Shift+Tab
  // inside itself; here, the focus that lands on the page anyway (a script's focus(), the frame blurred) goes back
  // to the window, Tab on the page's side goes into it, and Escape on the page's side closes it as Escape inside does.
  document.addEventListener(
    'focusin',
    function (event) {
      if (pending && event.target !== pending.frame && !pending.overlay.contains(/** @type {Node} */ (event.target))) pending.frame.focus();
    },
    true,
  );
  // A key dispatched on the page's side did not reach the window, whatever document.activeElement says: the page may
  // already name the frame while the browser still routes keys to the page (a focus() given a moment ago).
  document.addEventListener(
    'keydown',
    function (event) {
      if (!pending) return;
      if (isTab(event)) {
        event.preventDefault();
        focusWindowFromKey(pending.frame);
      } else if (event.key === 'Escape' && pending.frame.contentWindow) {
        pending.frame.contentWindow.postMessage(JSON.stringify({ action: 'sandbox-close' }), sandboxOrigin);
      }
    },
    true,
  );

  window.addEventListener('message', function (event) {
    // Only the open window's answer counts (not another sandbox frame's, nor a replaced window's).
    if (event.origin !== sandboxOrigin || !pending || event.source !== pending.frame.contentWindow) return;
    var message;
    try {
      message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (_) {
      return;
    }
    if (!message || message.action !== 'payment') return;
    var done = closeOverlay();
    if (done) callBack(done.callback, message.data);
  });

  w.IMP = {
    sandbox: { origin: sandboxOrigin, deviceKey: DEVICE_KEY },

    /** @param {string} userCode */
    init: function (userCode) {
      merchant.userCode = userCode;
      merchant.tierCode = null;
    },

    /** @param {string} userCode @param {string} tierCode */
    agency: function (userCode, tierCode) {
      merchant.userCode = userCode;
      merchant.tierCode = tierCode;
    },

    deinit: function () {
      merchant.userCode = null;
      merchant.tierCode = null;
    },

    close: function () {
      closeOverlay();
    },

    /** @param {Record<string, unknown>} params @param {Function} [callback] */
    request_pay: function (params, callback) {
      if (!merchant.userCode) {
        alert('판매자 코드가 설정되지 않았습니다. IMP.init()함수를 먼저 호출하세요.');
        return;
      }
      if (!params || typeof params !== 'object') {
        alert('결제요청 파라메터가 누락되었습니다.');
        return;
      }
      var data = Object.assign({}, params);
      if (!data.merchant_uid) data.merchant_uid = 'nobody_' + Date.now();
      if (!data.pay_method) data.pay_method = 'card';
      var requestedDevice = device();
      var request = {
        user_code: merchant.userCode,
        tier_code: merchant.tierCode,
        request_id: 'req_' + Date.now(),
        device: requestedDevice,
        page_url: location.href,
        user_agent: navigator.userAgent,
        params: data,
        script: null,
      };
      var script = pageChoices().script;
      if (script && typeof script === 'object') request.script = /** @type {any} */ (Object.assign({}, script));
      fetch(sandboxOrigin + '/__sandbox/checkout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (answer.error) {
            if (answer.device === 'mobile' && typeof callback !== 'function') {
              redirectFailure(/** @type {string | undefined} */ (data.m_redirect_url), answer.error);
            } else {
              callBack(callback, answer.error);
            }
            return;
          }
          if (!answer.window_url) throw new Error(answer.message || 'the sandbox did not open a payment window');
          if (answer.device === 'mobile') {
            location.href = answer.window_url;
          } else {
            openOverlay(answer.window_url, callback);
          }
        })
        .catch(function (error) {
          callBack(callback, {
            success: false,
            imp_uid: null,
            merchant_uid: data.merchant_uid,
            error_code: 'F500',
            error_msg: '결제창을 열 수 없습니다: ' + (error && error.message ? error.message : String(error)),
          });
        });
    },
  };
})();
