import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { panelStyles } from './styles.ts';

/**
 * The study's link (it follows every edit) and a button that copies it. Where the clipboard
 * is refused the link is selected for the user to copy by hand.
 */
@customElement('lab-share-link')
export class LabShareLink extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host { display: flex; gap: 0.4rem; align-items: center; }
      input { width: 18rem; font-family: ui-monospace, monospace; font-size: 0.75rem; }
      .copied { font-size: 0.75rem; color: #2a9d8f; }
    `,
  ];

  /** The full address of the study. */
  @property() url = '';
  @state() private copied = false;

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.url);
      this.copied = true;
      setTimeout(() => (this.copied = false), 2000);
    } catch {
      this.renderRoot.querySelector('input')?.select();
    }
  }

  protected override render() {
    return html`
      <input readonly aria-label="link to this study" data-testid="share-url" .value=${this.url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
      <button data-testid="copy-link" @click=${() => void this.copy()}>Copy link</button>
      ${this.copied ? html`<span class="copied" role="status">copied</span>` : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-share-link': LabShareLink;
  }
}
