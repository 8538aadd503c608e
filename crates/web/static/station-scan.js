// Scanning a parcel's label with the phone's camera (issues 15 and 16: any form with `data-scan`), where the browser can read
// barcodes (BarcodeDetector); elsewhere the operator types the label or uses a keyboard-wedge
// scanner, which types it and presses Enter. The code read goes into the label field and the
// form is sent as if typed.
(() => {
  const form = document.querySelector('form[data-scan]');
  if (!form || !('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) return;
  const field = form.elements[form.dataset.scanField || 'label'];
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet';
  button.textContent = form.dataset.scan;
  const video = document.createElement('video');
  video.setAttribute('playsinline', '');
  video.muted = true;
  video.hidden = true;
  video.className = 'scanner';
  form.append(button, video);

  let stream = null;
  const stop = () => {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    button.textContent = form.dataset.scan;
  };
  button.addEventListener('click', async () => {
    if (stream) return stop();
    const detector = new BarcodeDetector({ formats: ['code_128', 'code_39', 'ean_13', 'qr_code'] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).catch(() => null);
    if (!stream) return;
    video.srcObject = stream;
    video.hidden = false;
    button.textContent = form.dataset.scanStop;
    await video.play();
    const look = async () => {
      if (!stream) return;
      const found = await detector.detect(video).catch(() => []);
      if (found.length) {
        field.value = found[0].rawValue;
        stop();
        form.requestSubmit();
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  });
})();
