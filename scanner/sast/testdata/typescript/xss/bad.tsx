import React from 'react';

type Props = { html: string };

export function Preview({ html }: Props): JSX.Element {
  return <section dangerouslySetInnerHTML={{ __html: html }} />; // expect: js/xss
}

export function render(el: HTMLElement, text: string): void {
  el.innerHTML = `<p>${text}</p>`; // expect: js/xss
}
