import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The lab page (being built). */
@customElement('tuning-lab')
export class TuningLab extends LitElement {
  protected override render() {
    return html`<h1>Tuning Lab</h1>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tuning-lab': TuningLab;
  }
}
