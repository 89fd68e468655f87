// Draws a QR code onto a <canvas> (no inline SVG styles, no data: URLs, so the CSP stays strict).
import QRCode from 'qrcode';
import { type Component, createEffect } from 'solid-js';

interface QrCanvasProps {
  text: string;
  label: string;
  size?: number;
}

export const QrCanvas: Component<QrCanvasProps> = (props) => {
  let canvas!: HTMLCanvasElement;
  createEffect(() => {
    const text = props.text;
    void QRCode.toCanvas(canvas, text, {
      width: props.size ?? 220,
      margin: 2,
      errorCorrectionLevel: 'M',
    }).catch(() => {
      // A payload too large for a QR code: leave the canvas blank; the digits remain.
    });
  });
  return <canvas ref={canvas} class="qr" role="img" aria-label={props.label} />;
};
