import { z } from 'zod';

/*
 * Jitless: otherwise zod probes `new Function` once, which the Content-Security-Policy (no
 * 'unsafe-eval') refuses and reports. The messages: zod's defaults are written for developers
 * ("Too small: expected string to have >=1 characters"); the console shows the same schemas'
 * findings to people, so it words them here. Messages a schema sets itself still win.
 */
z.config({
  jitless: true,
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined || issue.input === ''
          ? 'Required.'
          : `Enter a valid ${issue.expected}.`;
      case 'too_small':
        if (issue.origin === 'string') {
          return Number(issue.minimum) <= 1 ? 'Required.' : `Use at least ${issue.minimum} characters.`;
        }
        if (issue.origin === 'array') return `Choose at least ${issue.minimum}.`;
        return `Use ${issue.minimum} or more.`;
      case 'too_big':
        if (issue.origin === 'string') return `Use at most ${issue.maximum} characters.`;
        if (issue.origin === 'array') return `Choose at most ${issue.maximum}.`;
        return `Use ${issue.maximum} or less.`;
      case 'invalid_format':
        if (issue.format === 'email') return 'Enter an e-mail address such as name@example.com.';
        if (issue.format === 'date') return 'Enter a date.';
        if (issue.format === 'datetime') return 'Enter a date and time.';
        return undefined;
      case 'invalid_value':
        return 'Choose one of the options.';
      default:
        return undefined;
    }
  },
});
