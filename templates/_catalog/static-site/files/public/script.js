'use strict';

// What the page does when people click. Runs in the browser, after the
// page has loaded (the script tag has "defer").

function greeting(date) {
  const hour = date.getHours();
  if (hour < 12) {
    return 'Good morning!';
  }
  if (hour < 18) {
    return 'Good afternoon!';
  }
  return 'Good evening!';
}

const button = document.getElementById('greet-button');
const output = document.getElementById('greeting');

if (button && output) {
  button.addEventListener('click', () => {
    // textContent (never innerHTML) keeps the page safe from injected code.
    output.textContent = greeting(new Date());
  });
}
