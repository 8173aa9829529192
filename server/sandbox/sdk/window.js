// @ts-check
// The test payment window's behaviour. On PC it answers the page that opened it through postMessage,
// as PortOne's frame does; on mobile it posts the form and lets the sandbox's 302 carry the buyer back
// to m_redirect_url. Keyboard: every control is a native one; Enter in the amount field pays that amount;
// Escape closes the window.
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
        if (event.key === 'Tab') {
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
