import React from 'react';

export function Comment({ comment }) {
  return <div dangerouslySetInnerHTML={{ __html: comment.body }} />; // expect: js/xss
}
