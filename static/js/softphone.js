// The agent's softphone (templates/calls/softphone.html): SIP over WebSocket with JsSIP
// (static/vendor/jssip), calls as WebRTC sessions through the phone system.
//
// With the page it registers with the time-limited credentials the application hands the signed-in
// agent (renewed before they expire). A call rings in the panel with the caller's number, the
// customers found by it and the queue (the application's caller pop); Answer takes it and opens
// the request for the call in a tab of its own, so that working on the request never ends the
// call held by this page. Hang up, Hold/Resume, Mute and a keypad (DTMF) during the call; Alt+Y
// answers and Alt+X declines or hangs up (Ctrl+Option on a Mac, as callcenter.js's shortcuts).
//
// Transfer (Alt+T): to a queue's number or an agent, at once (a REFER to the other side, which
// calls the target: the caller's phone, or the media service for a caller who waited), or after
// a consultation call to the target with the caller on hold (then a REFER with Replaces, or
// Cancel and the caller back). The application is told first (calls:call_transfer), which lets
// the transferred call in and keeps the records. A page's "Call" link ([data-dial]) dials out
// from here, and the call's record (calls:call_dial) is linked to the customer or request.
// Every text comes from the panel's data- attributes (translated by the server).
(() => {
  const root = document.getElementById("softphone");
  if (!root || !window.RTCPeerConnection || !window.WebSocket) {
    return;
  }
  const texts = root.dataset;
  const $ = (selector) => root.querySelector(selector);
  const status = $("[data-softphone-status]");
  const announcer = $("[data-softphone-announce]");
  const ringing = $("[data-softphone-ringing]");
  const active = $("[data-softphone-active]");
  const title = $("[data-softphone-title]");
  const pop = $("[data-softphone-pop]");
  const audio = $("[data-softphone-audio]");
  const problem = $("[data-softphone-error]");
  const transferForm = $("[data-softphone-transfer]");
  const transferTarget = $("[data-softphone-transfer-target]");
  const transferError = $("[data-softphone-transfer-error]");
  const consulting = $("[data-softphone-consulting]");
  const consultTitle = $("[data-softphone-consult-title]");
  const buttons = {
    answer: $("[data-softphone-answer]"),
    decline: $("[data-softphone-decline]"),
    hangup: $("[data-softphone-hangup]"),
    hold: $("[data-softphone-hold]"),
    mute: $("[data-softphone-mute]"),
    keypad: $("[data-softphone-keypad-toggle]"),
    transfer: $("[data-softphone-transfer-toggle]"),
    consult: $("[data-softphone-consult]"),
    complete: $("[data-softphone-complete]"),
    cancelTransfer: $("[data-softphone-cancel-transfer]"),
  };
  const keypad = $("[data-softphone-keypad]");
  const IS_MAC = /Mac/.test(
    (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "");

  let ua = null;
  let instance = "";
  let session = null;
  let callId = "";
  let renewTimer = null;
  let sipDomain = "";
  // The consultation call of an attended transfer, its Call-ID and its target's name.
  let consult = null;
  let consultId = "";
  const startedAt = performance.now();

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
  }
  function setStatus(state) {
    root.dataset.state = state;
    status.textContent = texts[`status${state[0].toUpperCase()}${state.slice(1)}`] || state;
    share();
  }
  function announce(text) {
    // A new node each time, so that the same words said twice are read twice.
    announcer.textContent = "";
    const line = document.createElement("span");
    line.textContent = text;
    announcer.append(line);
  }

  // A request to the application, asked again (three times at most, a moment apart) when it
  // answered 503 (its database busy for an instant) or the network failed.
  async function ask(url, options, tries = 3) {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, { credentials: "same-origin", ...options });
        if (response.status !== 503 || attempt >= tries) {
          return response;
        }
      } catch (error) {
        if (attempt >= tries) {
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 150 * attempt));
    }
  }

  // This tab's identity toward the registrar (+sip.instance), kept across its reloads: the
  // registration after a reload replaces the one before instead of leaving a dead contact behind
  // that calls would still be forked to. A tab opened from another one starts with a copy of its
  // storage but not its window name: the identity is kept only by the tab whose name it was
  // saved with (else the new tab's registration took the other's place, and a call for the
  // other tab, such as the caller of an attended transfer, rang here instead).
  const INSTANCE_KEY = "callcenter-softphone-instance";
  const instancesElsewhere = new Set();
  function tabInstance() {
    let saved = {};
    try {
      saved = JSON.parse(sessionStorage.getItem(INSTANCE_KEY) || "{}") || {};
    } catch (error) {
      // No storage, or something else in it: a new identity.
    }
    let id = saved.tab && saved.tab === window.name ? saved.id : "";
    if (!id || instancesElsewhere.has(id)) {
      id = window.JsSIP.Utils.newUUID();
      if (!window.name) {
        window.name = `callcenter-${id}`;
      }
      try {
        sessionStorage.setItem(INSTANCE_KEY, JSON.stringify({ id, tab: window.name }));
      } catch (error) {
        // No storage: a new identity for each page.
      }
    }
    return id;
  }

  // Credentials and registration -------------------------------------------------------------

  async function fetchCredentials() {
    const response = await ask(texts.credentialsUrl, {
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) {
      throw new Error(`credentials: ${response.status}`);
    }
    return response.json();
  }

  function renewBefore(expires) {
    clearTimeout(renewTimer);
    // Renewed at two thirds of their life, at least a minute from now.
    const left = expires * 1000 - Date.now();
    renewTimer = setTimeout(renew, Math.max(60000, (left * 2) / 3));
  }
  async function renew() {
    try {
      const fresh = await fetchCredentials();
      ua.set("authorization_user", fresh.username);
      ua.set("password", fresh.password);
      renewBefore(fresh.expires);
    } catch (error) {
      renewTimer = setTimeout(renew, 30000);
    }
  }

  async function start() {
    root.hidden = false;
    setStatus("connecting");
    let credentials;
    try {
      credentials = await fetchCredentials();
    } catch (error) {
      setStatus("off");
      return;
    }
    sipDomain = credentials.sip_uri.split("@").pop();
    const socket = new window.JsSIP.WebSocketInterface(credentials.ws_uri);
    instance = tabInstance();
    ua = new window.JsSIP.UA({
      sockets: [socket],
      instance_id: instance,
      uri: credentials.sip_uri,
      authorization_user: credentials.username,
      password: credentials.password,
      register: true,
      register_expires: 300,
      session_timers: false,
      user_agent: "Callcenter softphone (JsSIP)",
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    const registering = performance.now();
    ua.on("registered", () => {
      // Calls are answered with the registered contact (its ;transport=ws tells the proxy how
      // to reach this page), not with the GRUU the registrar hands out: the proxy relays
      // in-dialog requests (ACK, BYE, re-INVITE) by the contact, and a GRUU names no transport.
      ua.contact.pub_gruu = null;
      ua.contact.temp_gruu = null;
      if (!root.dataset.registeredMs) {
        // For the tests' figures: from the script's start (JsSIP's loading included), and from
        // the WebSocket's opening to the registration's 200 OK.
        root.dataset.registeredMs = String(Math.round(performance.now() - startedAt));
        root.dataset.registerMs = String(Math.round(performance.now() - registering));
      }
      if (!session) {
        setStatus("ready");
      }
    });
    ua.on("unregistered", () => setStatus("off"));
    ua.on("registrationFailed", () => setStatus("off"));
    ua.on("disconnected", () => setStatus("connecting"));
    ua.on("newRTCSession", (event) => {
      if (event.originator !== "remote") {
        return;
      }
      if (session && event.request.hasHeader("replaces")) {
        // The caller of an attended transfer takes the place of the consultation call
        // (accepted in its "replaces" event): this is that caller's call now.
        takeOver(event.session, event.request);
      } else {
        incoming(event.session, event.request);
      }
    });
    ua.start();
    renewBefore(credentials.expires);
  }

  // The ring the agent hears while a call rings: two tones (440 and 480 Hz) for a second, every
  // three, made by the page (no sound file), and the tab's title says so for a tab in the back.
  let ringer = null;
  const pageTitle = document.title;
  function startRinging(text) {
    document.title = `☎ ${text}`;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || ringer) {
      return;
    }
    const context = new Context();
    const volume = context.createGain();
    volume.gain.value = 0;
    volume.connect(context.destination);
    [440, 480].forEach((frequency) => {
      const tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(volume);
      tone.start();
    });
    const ring = () => {
      const now = context.currentTime;
      volume.gain.setValueAtTime(0.08, now);
      volume.gain.setValueAtTime(0, now + 1);
    };
    ring();
    ringer = { context, timer: setInterval(ring, 3000) };
  }
  function stopRinging() {
    document.title = pageTitle;
    if (ringer) {
      clearInterval(ringer.timer);
      ringer.context.close();
      ringer = null;
    }
  }

  // A call -------------------------------------------------------------------------------------

  function incoming(call, request) {
    if (session) {
      call.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    session = call;
    // A caller who waited is put through by the media service, which names the caller's own call
    // and number in X-Call-Id and X-Caller.
    callId = request.getHeader("X-Call-Id") || request.call_id;
    const caller = request.getHeader("X-Caller")
      || call.remote_identity.uri.user || call.remote_identity.display_name || "";
    const number = caller;
    const ringsFrom = number ? fill(texts.incoming, { number }) : texts.incomingUnknown;
    root.dataset.ringingAt = String(Date.now());
    title.textContent = ringsFrom;
    pop.replaceChildren();
    ringing.hidden = false;
    active.hidden = true;
    root.hidden = false;
    setStatus("ringing");
    // The focus stays where the agent is typing (a key meant for the form must not answer):
    // the announcement says it rings, Alt+Y answers.
    announce(ringsFrom);
    startRinging(ringsFrom);
    showCaller(call);
    follow(call, number);
  }

  // The caller of an attended transfer, in the place of the consultation call: answered at once.
  function takeOver(call, request) {
    callId = request.getHeader("X-Call-Id") || request.call_id;
    const number = request.getHeader("X-Caller") || call.remote_identity.uri.user || "";
    session = call;
    follow(call, number);
    call.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
  }

  // What every call does here, incoming or dialled: its audio, its answer, its end.
  function follow(call, number) {
    call.on("peerconnection", (event) => listen(event.peerconnection));
    // An attended transfer to this phone: the caller comes in place of this call.
    call.on("replaces", (event) => event.accept());
    call.on("accepted", () => {
      stopRinging();
      ringing.hidden = true;
      active.hidden = false;
      buttons.transfer.hidden = false;
      setStatus("talking");
      title.textContent = number ? fill(texts.talking, { number }) : texts.talkingUnknown;
      if (root.contains(document.activeElement)) {
        buttons.hangup.focus({ preventScroll: true });
      }
    });
    call.on("muted", () => showMute(true));
    call.on("unmuted", () => showMute(false));
    const end = () => {
      if (session !== call) {
        return;
      }
      stopRinging();
      active.querySelectorAll("[data-softphone-request-link]").forEach((line) => line.remove());
      if (consult && !consult.isEnded()) {
        consult.terminate();
      }
      session = null;
      callId = "";
      audio.srcObject = null;
      ringing.hidden = true;
      active.hidden = true;
      keypad.hidden = true;
      buttons.keypad.setAttribute("aria-expanded", "false");
      buttons.hold.removeAttribute("aria-busy");
      closeTransfer();
      showHold(false);
      showMute(false);
      title.textContent = "";
      pop.replaceChildren();
      announce(texts.ended);
      setStatus(ua && ua.isRegistered() ? "ready" : "off");
      showElsewhere();
    };
    call.on("ended", end);
    call.on("failed", (event) => {
      const mine = session === call;
      end();
      if (mine && call.direction === "outgoing" && event.originator !== "local") {
        showProblem(dialProblem(event, number));
      }
    });
  }

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = !text;
    if (text) {
      root.hidden = false;
      announce(text);
    }
  }
  function dialProblem(event, number) {
    const code = event.message && event.message.status_code;
    let text = texts.dialFailed;
    if (code === 404 || code === 403) {
      text = texts.dialUnreachable;
    } else if (code === 480 || code === 408) {
      text = texts.dialNoAnswer;
    } else if (code === 486 || code === 600 || code === 603) {
      text = texts.dialRefused;
    }
    return fill(text, { number });
  }

  // The application's caller pop: the number, the queue, the customers with that number.
  async function showCaller(call) {
    const asked = callId;
    try {
      const response = await ask(`${texts.popUrl}?call_id=${encodeURIComponent(asked)}`, {
        headers: { "HX-Request": "true" },
      });
      if (!response.ok || session !== call) {
        return;
      }
      const html = await response.text();
      const shown = new DOMParser().parseFromString(html, "text/html").body;
      // The pop's own "open the request" form: answering does that here.
      shown.querySelectorAll("form").forEach((form) => form.remove());
      // Its heading is ours; its links open beside this page.
      shown.querySelectorAll("h2").forEach((heading) => heading.remove());
      shown.querySelectorAll("a[href]").forEach((link) => {
        link.target = "_blank";
        link.rel = "noopener";
      });
      pop.replaceChildren(...shown.childNodes);
      root.dataset.popShownAt = String(Date.now());
    } catch (error) {
      // No pop: the number alone is on screen.
    }
  }

  function listen(connection) {
    connection.addEventListener("track", (event) => {
      audio.srcObject = event.streams[0] || new MediaStream([event.track]);
      audio.play().catch(() => {});
    });
  }

  function answer() {
    if (!session || session.isEstablished() || session.direction !== "incoming") {
      return false;
    }
    const call = session;
    const answeredId = callId;
    // Opened now, while the key or click still counts as the agent's, so no popup blocker
    // stands in the way; the request's address follows.
    const tab = window.open("", "callcenter-call-request");
    call.answer({
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
    });
    openRequest(answeredId, tab);
    return true;
  }

  async function openRequest(answeredId, tab) {
    try {
      const body = new URLSearchParams({ call_id: answeredId });
      // Asked again it is the same request: the application keeps one per call and agent.
      const response = await ask(texts.answerUrl, {
        method: "POST",
        headers: { "HX-Request": "true", "X-CSRFToken": texts.csrf },
        body,
      });
      const url = response.ok ? response.headers.get("HX-Redirect") : null;
      if (!url) {
        throw new Error(`answer: ${response.status}`);
      }
      if (tab && !tab.closed) {
        tab.location.href = url;
      } else {
        // No new tab (a pop-up blocker): the request is saved; a link here opens it.
        const line = document.createElement("p");
        line.dataset.softphoneRequestLink = "";
        const link = document.createElement("a");
        link.href = url;
        link.target = "_blank";
        link.textContent = texts.openRequest;
        line.append(link);
        active.prepend(line);
        announce(texts.requestBlocked);
      }
      root.dataset.requestUrl = url;
    } catch (error) {
      if (tab && !tab.closed) {
        tab.close();
      }
      announce(texts.requestFailed);
    }
  }

  function hangup() {
    if (!session) {
      return false;
    }
    if (session.isEstablished()) {
      session.terminate();
    } else if (session.direction === "incoming") {
      session.terminate({ status_code: 603, reason_phrase: "Decline" });
    } else {
      session.terminate();
    }
    return true;
  }

  function showHold(held) {
    buttons.hold.setAttribute("aria-pressed", held ? "true" : "false");
    buttons.hold.textContent = held ? texts.resume : texts.hold;
    if (session) {
      setStatus(held ? "held" : "talking");
    }
  }
  function showMute(muted) {
    buttons.mute.setAttribute("aria-pressed", muted ? "true" : "false");
    share();
  }

  // Hold and resume are re-INVITEs: shown once the other side has agreed. One asked while
  // another re-INVITE is under way (the caller's phone sends one right after answering, to
  // settle the codec) is tried again a moment later, for a few seconds.
  function toggleHold() {
    const call = session;
    if (!call || !call.isEstablished() || buttons.hold.getAttribute("aria-busy") === "true") {
      return false;
    }
    const action = call.isOnHold().local ? "unhold" : "hold";
    const until = Date.now() + 5000;
    buttons.hold.setAttribute("aria-busy", "true");
    const attempt = () => {
      if (session !== call || !call.isEstablished()) {
        return;
      }
      const sent = call[action]({}, () => {
        buttons.hold.removeAttribute("aria-busy");
        if (session === call) {
          showHold(action === "hold");
        }
      });
      if (!sent && Date.now() < until) {
        setTimeout(attempt, 200);
      } else if (!sent) {
        buttons.hold.removeAttribute("aria-busy");
      }
    };
    attempt();
    return true;
  }
  function toggleMute() {
    if (!session || !session.isEstablished()) {
      return false;
    }
    if (session.isMuted().audio) {
      session.unmute({ audio: true });
    } else {
      session.mute({ audio: true });
    }
    return true;
  }
  function dtmf(key) {
    if (!session || !session.isEstablished() || !/^[0-9*#]$/.test(key)) {
      return false;
    }
    // In the media (RFC 4733), as the phone system's relay passes it on to the other side.
    session.sendDTMF(key, { transportType: "RFC2833", duration: 120 });
    return true;
  }

  // Transfer ----------------------------------------------------------------------------------

  function openTransfer() {
    if (!session || !session.isEstablished() || consult) {
      return false;
    }
    transferForm.hidden = false;
    buttons.transfer.setAttribute("aria-expanded", "true");
    transferTarget.focus();
    return true;
  }
  function closeTransfer() {
    transferForm.hidden = true;
    transferForm.removeAttribute("aria-busy");
    buttons.transfer.setAttribute("aria-expanded", "false");
    transferTarget.value = "";
    showTransferError("");
    consulting.hidden = true;
    consult = null;
    consultId = "";
  }
  function showTransferError(text) {
    transferError.textContent = text;
    transferError.hidden = !text;
    if (text) {
      transferTarget.setAttribute("aria-invalid", "true");
      announce(text);
    } else {
      transferTarget.removeAttribute("aria-invalid");
    }
  }

  // The application's answer as JSON, with its error message when it refused.
  async function askJson(url, options) {
    let response;
    try {
      response = await ask(url, {
        ...options,
        headers: { Accept: "application/json", "X-CSRFToken": texts.csrf },
      });
    } catch (error) {
      return { error: texts.requestError };
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      return { error: answer.error || texts.requestError };
    }
    return answer;
  }

  // Tells the application, then sends the REFER: at once to the target typed, or (with the
  // consultation call) in its place.
  async function transfer(target) {
    const call = session;
    if (!call || !call.isEstablished() || transferForm.getAttribute("aria-busy") === "true") {
      return;
    }
    transferForm.setAttribute("aria-busy", "true");
    const consulted = consult;
    const body = new URLSearchParams({
      call_id: callId, target, consult_call_id: consulted ? consultId : "",
    });
    const answer = await askJson(texts.transferUrl, { method: "POST", body });
    transferForm.removeAttribute("aria-busy");
    if (session !== call) {
      return;
    }
    if (answer.error) {
      showTransferError(answer.error);
      return;
    }
    const shown = consulted ? consultTitle.dataset.target : target;
    announce(fill(texts.transferring, { target: shown }));
    title.textContent = fill(texts.transferring, { target: shown });
    const failed = () => {
      if (session === call) {
        title.textContent = "";
        showTransferError(texts.transferFailed);
      }
    };
    call.refer(answer.refer_to, {
      replaces: consulted || undefined,
      eventHandlers: {
        // The other side's NOTIFY: the target has the caller.
        accepted: () => {
          announce(texts.transferred);
          if (session === call && call.isEstablished()) {
            call.terminate();
          }
          if (consulted && !consulted.isEnded()) {
            consulted.terminate();
          }
        },
        requestFailed: failed,
        failed,
      },
    });
  }

  // An attended transfer: the caller on hold, a call to the target.
  async function startConsultation() {
    const call = session;
    const target = transferTarget.value.trim();
    if (!call || !call.isEstablished() || consult) {
      return;
    }
    const answer = await askJson(
      `${texts.transferTargetUrl}?target=${encodeURIComponent(target)}`, { method: "GET" });
    if (session !== call) {
      return;
    }
    if (answer.error) {
      showTransferError(answer.error);
      return;
    }
    showTransferError("");
    if (!call.isOnHold().local) {
      await new Promise((resolve) => {
        if (!call.hold({}, resolve)) {
          resolve();
        }
      });
      showHold(true);
    }
    consultTitle.dataset.target = target;
    consultTitle.textContent = fill(texts.consulting, { target });
    transferForm.hidden = true;
    consulting.hidden = false;
    consult = ua.call(answer.uri, {
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
      eventHandlers: {
        sending: (event) => {
          consultId = event.request.call_id;
        },
        peerconnection: (event) => listen(event.peerconnection),
      },
    });
    const consulted = consult;
    const over = () => {
      if (consult === consulted && session === call) {
        consultTitle.textContent = texts.consultEnded;
        announce(texts.consultEnded);
      }
    };
    consulted.on("ended", over);
    consulted.on("failed", over);
    buttons.complete.focus();
  }

  // Back to the caller: the consultation ends, the caller is taken off hold.
  function cancelTransfer() {
    const call = session;
    if (consult && !consult.isEnded()) {
      consult.terminate();
    }
    closeTransfer();
    if (call && call.isEstablished()) {
      hearCall(call);
      if (call.isOnHold().local) {
        call.unhold({}, () => showHold(false));
      }
      buttons.transfer.focus();
    }
  }
  function hearCall(call) {
    const tracks = call.connection.getReceivers().map((receiver) => receiver.track);
    audio.srcObject = new MediaStream(tracks.filter(Boolean));
    audio.play().catch(() => {});
  }

  // Click to call ---------------------------------------------------------------------------------

  function dial(number, links) {
    showProblem("");
    if (session) {
      showProblem(texts.dialBusy);
      return;
    }
    if (!ua || !ua.isRegistered()) {
      showProblem(texts.dialOff);
      return;
    }
    const user = number.replace(/[^0-9A-Za-z+*#._-]/g, "");
    const call = ua.call(`sip:${user}@${sipDomain}`, {
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
      eventHandlers: {
        // Before ua.call() returns, so here rather than in follow().
        peerconnection: (event) => listen(event.peerconnection),
        sending: (event) => {
          callId = event.request.call_id;
          recordDial(call, callId, user, links);
        },
      },
    });
    session = call;
    const shown = number || user;
    title.textContent = fill(texts.calling, { number: shown });
    ringing.hidden = true;
    active.hidden = false;
    root.hidden = false;
    setStatus("calling");
    announce(fill(texts.calling, { number: shown }));
    follow(call, shown);
    buttons.hangup.focus({ preventScroll: true });
  }
  async function recordDial(call, id, number, links) {
    const body = new URLSearchParams({ call_id: id, number, ...links });
    const answer = await askJson(texts.dialUrl, { method: "POST", body });
    if (answer.error && session === call) {
      call.terminate();
      showProblem(answer.error);
    }
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-dial]");
    if (!link || !ua) {
      // Without the phone, a tel: link does what the device does with it.
      return;
    }
    event.preventDefault();
    const links = {};
    if (link.dataset.dialCustomer) {
      links.customer = link.dataset.dialCustomer;
    }
    if (link.dataset.dialRequest) {
      links.request = link.dataset.dialRequest;
    }
    if (link.dataset.dialCallback) {
      links.callback = link.dataset.dialCallback;
    }
    dial(link.dataset.dial.trim(), links);
  });

  // Other tabs of the application ----------------------------------------------------------------
  // Every tab registers and rings; the call lives in the tab that answered it. The others (the
  // request opened for the call among them) show it and pass hang up, hold, mute and the keypad
  // on to that tab, so Alt+X works from the request the agent is typing in.
  const tabId = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const channel = window.BroadcastChannel ? new BroadcastChannel("callcenter-softphone") : null;
  const elsewhere = new Map();
  const LOCAL = { hangup: () => hangup(), hold: toggleHold, mute: toggleMute, dtmf };

  function share(gone = false) {
    if (!channel) {
      return;
    }
    const inCall = !gone && session && session.isEstablished();
    channel.postMessage({
      type: "state",
      tab: tabId,
      instance,
      state: inCall ? root.dataset.state : "idle",
      title: inCall ? title.textContent : "",
      held: buttons.hold.getAttribute("aria-pressed") === "true",
      muted: buttons.mute.getAttribute("aria-pressed") === "true",
    });
  }
  function callElsewhere() {
    for (const [tab, call] of elsewhere) {
      if (call.state === "talking" || call.state === "held") {
        return { tab, ...call };
      }
    }
    return null;
  }
  function showElsewhere() {
    if (session) {
      return;
    }
    const call = callElsewhere();
    root.toggleAttribute("data-elsewhere", Boolean(call));
    active.hidden = !call;
    // A transfer is made in the tab that holds the call (it holds the consultation too).
    buttons.transfer.hidden = Boolean(call);
    title.textContent = call ? call.title : "";
    if (call) {
      buttons.hold.setAttribute("aria-pressed", call.held ? "true" : "false");
      buttons.hold.textContent = call.held ? texts.resume : texts.hold;
      buttons.mute.setAttribute("aria-pressed", call.muted ? "true" : "false");
    } else {
      keypad.hidden = true;
      buttons.keypad.setAttribute("aria-expanded", "false");
    }
  }
  // A control: this tab's call, else the one in another tab.
  function command(name, value) {
    if (session) {
      return LOCAL[name](value);
    }
    const call = callElsewhere();
    if (!call || !channel) {
      return false;
    }
    channel.postMessage({ type: "command", to: call.tab, name, value });
    return true;
  }
  if (channel) {
    channel.addEventListener("message", ({ data }) => {
      if (data.type === "state") {
        if (data.instance) {
          instancesElsewhere.add(data.instance);
        }
        if (data.state === "idle") {
          elsewhere.delete(data.tab);
        } else {
          elsewhere.set(data.tab, data);
        }
        showElsewhere();
      } else if (data.type === "hello") {
        share();
      } else if (data.type === "command" && data.to === tabId && LOCAL[data.name]) {
        LOCAL[data.name](data.value);
      }
    });
    channel.postMessage({ type: "hello" });
  }

  buttons.answer.addEventListener("click", answer);
  buttons.decline.addEventListener("click", hangup);
  buttons.hangup.addEventListener("click", () => command("hangup"));
  buttons.hold.addEventListener("click", () => command("hold"));
  buttons.mute.addEventListener("click", () => command("mute"));
  buttons.keypad.addEventListener("click", () => {
    keypad.hidden = !keypad.hidden;
    buttons.keypad.setAttribute("aria-expanded", keypad.hidden ? "false" : "true");
  });
  buttons.transfer.addEventListener("click", () => {
    if (transferForm.hidden) {
      openTransfer();
    } else {
      closeTransfer();
    }
  });
  transferForm.addEventListener("submit", (event) => {
    event.preventDefault();
    transfer(transferTarget.value.trim());
  });
  buttons.consult.addEventListener("click", startConsultation);
  buttons.complete.addEventListener("click", () => transfer(""));
  buttons.cancelTransfer.addEventListener("click", cancelTransfer);
  keypad.addEventListener("click", (event) => {
    const key = event.target.closest("[data-dtmf]");
    if (key) {
      command("dtmf", key.dataset.dtmf);
    }
  });

  // Alt+Y answers, Alt+X declines or hangs up; capturing, so they work in any field.
  window.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.repeat || event.metaKey || event.shiftKey) {
      return;
    }
    const shortcut = IS_MAC
      ? event.ctrlKey && event.altKey
      : event.altKey && !event.ctrlKey && !event.getModifierState("AltGraph");
    if (!shortcut) {
      return;
    }
    const done = {
      KeyY: answer,
      KeyX: () => hangup() || command("hangup"),
      KeyT: openTransfer,
    }[event.code];
    if (done && done()) {
      event.preventDefault();
    }
  }, true);

  // A call in progress ends with this page: say so before it is left.
  window.addEventListener("beforeunload", (event) => {
    if (session && session.isEstablished()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("pagehide", () => {
    share(true);
    clearTimeout(renewTimer);
    if (ua) {
      ua.stop();
    }
  });

  // The panel's styles and JsSIP (a quarter of a megabyte) load from here, JsSIP once the page
  // has: neither may delay the page's own script and shortcuts. The panel is hidden until then.
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = texts.cssHref;
  document.head.append(styles);
  function load() {
    const script = document.createElement("script");
    script.src = texts.jssipSrc;
    script.addEventListener("load", () => {
      if (window.JsSIP) {
        start();
      }
    });
    document.body.append(script);
  }
  if (document.readyState === "complete") {
    load();
  } else {
    window.addEventListener("load", load, { once: true });
  }
})();
