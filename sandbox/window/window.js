// @ts-check
// The test payment window's behaviour. On PC it answers the page that opened it through postMessage,
// as PortOne's frame does; on mobile it posts the form and lets the sandbox's 302 carry the buyer back
// to m_redirect_url. Keyboard: every control is a native one; Enter in the amount field pays that amount;
// Escape closes the window; in the PC overlay, Tab and Shift+Tab go round its controls and never leave it.
(function () {
  'use strict';
  var main = /** @type {HTMLElement} */ (document.querySelector('main'));
  var form = /** @type {HTMLFormElement} */ (document.querySelector('form'));
  var status = /** @type {HTMLElement} */ (document.querySelector('.status'));
  var amountInput = /** @type {HTMLInputElement} */ (document.getElementById('other-amount'));
  // Not `form.action`: the buttons named "action" shadow that property.
  var endpoint = form.getAttribute('action') || location.pathname;
  var device = main.dataset.device;
  var targetOrigin = main.dataset.targetOrigin || '*';
  var answered = false;

  /**
   * The Tab key, with or without Shift. WebKitGTK names Shift+Tab 'Unidentified' (the X key it gets is ISO_Left_Tab,
   * which it has no name for), though its code is 'Tab' as everywhere.
   * @param {KeyboardEvent} event
   */
  function isTab(event) {
    return event.key === 'Tab' || (event.key === 'Unidentified' && event.code === 'Tab');
  }

  /** @param {boolean} disabled */
  function setDisabled(disabled) {
    form.querySelectorAll('button, input').forEach(function (el) {
      /** @type {HTMLButtonElement | HTMLInputElement} */ (el).disabled = disabled;
    });
  }

  /** @param {string} action @param {string} [amount] */
  function answer(action, amount) {
    if (answered) return;
    answered = true;
    if (device === 'mobile') {
      // A real form post, so the browser follows the 302 to m_redirect_url like a PG page would.
      var post = document.createElement('form');
      post.method = 'post';
      post.action = endpoint;
      // `amount` only when there is one: the sandbox refuses an empty amount as it refuses a wrong one.
      var fields = amount ? [['action', action], ['amount', amount]] : [['action', action]];
      fields.forEach(function (pair) {
        var input = document.createElement('input');
        input.type = 'hidden';
        input.name = pair[0];
        input.value = pair[1];
        post.appendChild(input);
      });
      document.body.appendChild(post);
      setDisabled(true);
      post.submit();
      return;
    }
    setDisabled(true);
    var body = amount ? { action: action, amount: amount } : { action: action };
    fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (message) {
          if (!response.ok) throw new Error(message.message || 'HTTP ' + response.status);
          // PortOne's frame posts a JSON string; the SDK accepts it only from the frame's origin.
          window.parent.postMessage(JSON.stringify(message), targetOrigin);
          status.textContent = action;
        });
      })
      .catch(function (error) {
        answered = false;
        setDisabled(false);
        status.textContent = String(error && error.message ? error.message : error);
      });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var submitter = /** @type {HTMLButtonElement | null} */ (event.submitter);
    var action = submitter ? submitter.value : 'approve';
    answer(action, action === 'amount' ? amountInput.value : undefined);
  });

  amountInput.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter') return;
    // Without this, Enter would submit with the form's first button: approving the original amount.
    event.preventDefault();
    answer('amount', amountInput.value);
  });

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') answer('close');
  });

  // In the PC overlay the window is a modal dialog framed in the shop's page: it keeps the focus while it is open.
  // Tab from its last control goes to its first and Shift+Tab from its first to its last, so the buyer never tabs out
  // into the page behind the overlay (where Escape would no longer close the window). A full page (mobile) is left to
  // the browser, as any page is.
  var framed = window.parent !== window;
  /** The window's controls the keyboard can reach now, in Tab order (no positive tabindex here: document order). */
  function tabbable() {
    return Array.prototype.filter.call(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'), function (/** @type {HTMLElement} */ el) {
      return !(/** @type {HTMLButtonElement} */ (el).disabled) && el.tabIndex >= 0 && el.getClientRects().length > 0;
    });
  }
  if (framed) {
    document.addEventListener('keydown', function (event) {
      if (!isTab(event) || event.altKey || event.ctrlKey || event.metaKey) return;
      var list = tabbable();
      var first = list[0];
      var last = list[list.length - 1];
      var at = list.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      if (at !== -1 && at !== (event.shiftKey ? 0 : list.length - 1)) return; // inside: the browser moves on
      // At an edge, or nowhere (the focus on the body, after a click on the backdrop or while an answer is sent):
      // round to the other end, never out of the window.
      event.preventDefault();
      if (first && last) (event.shiftKey ? last : first).focus();
    });
    // The page that opened the window asks it to close (Escape pressed while the focus was on the page's side).
    window.addEventListener('message', function (event) {
      if (event.source !== window.parent) return;
      var message;
      try {
        message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      } catch (_) {
        return;
      }
      if (message && message.action === 'sandbox-close') answer('close');
    });
  }

  var scripted = main.dataset.scriptAction;
  if (scripted) {
    setTimeout(function () {
      answer(scripted || 'approve', main.dataset.scriptAmount || undefined);
    }, Number(main.dataset.scriptDelay) || 0);
  }
  // The window opens focused on its main choice, as a dialog should. In the PC overlay it is a
  // cross-origin frame, where Chromium ignores autofocus and focus() until the frame itself has the focus
  // (the SDK gives it on load): so focus the choice again when the frame receives the focus, if nothing
  // inside has it yet. Without this, Enter does nothing until the buyer Tabs or clicks.
  var primary = form.querySelector('button.primary');
  function focusPrimary() {
    var active = document.activeElement;
    if (primary instanceof HTMLButtonElement && !primary.disabled && (!active || active === document.body)) primary.focus();
  }
  if (!scripted) {
    focusPrimary();
    window.addEventListener('focus', focusPrimary);
    // A key that arrives before the main choice got the focus (the frame was still being focused) acts as if
    // it had it: Tab moves on from it, Enter chooses it. Keys then do the same whatever the timing.
    document.addEventListener(
      'keydown',
      function (event) {
        var active = document.activeElement;
        if (answered || !(primary instanceof HTMLButtonElement) || primary.disabled || (active && active !== document.body)) return;
        if (isTab(event)) {
          primary.focus(); // the browser's own Tab then moves on from here
        } else if (event.key === 'Enter') {
          event.preventDefault();
          primary.focus();
          primary.click();
        }
      },
      true,
    );
  }
})();
