// After django-otp-webauthn's script has added a passkey, go back to the overview (which then
// lists it). A file of its own: the Content Security Policy allows no inline scripts.
document.addEventListener("otp_webauthn.register_complete", () => {
  const done = document.querySelector("[data-passkey-done]");
  if (done) window.location.assign(done.dataset.passkeyDone);
});
