import React from 'react';
import DOMPurify from 'dompurify';

type Props = { html: string; text: string };

export function Preview({ html, text }: Props): JSX.Element {
  return (
    <section>
      <p>{text}</p>
      <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }} />
    </section>
  );
}

export function render(el: HTMLElement, text: string): void {
  el.textContent = text;
}
