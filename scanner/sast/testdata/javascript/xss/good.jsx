import React from 'react';
import DOMPurify from 'dompurify';

const FOOTER = '<small>Made with Runway</small>';

export function Comment({ comment }) {
  return (
    <div>
      <p>{comment.body}</p>
      <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.html) }} />
      <footer dangerouslySetInnerHTML={{ __html: FOOTER }} />
    </div>
  );
}
