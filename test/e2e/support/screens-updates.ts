/** The updates and notices section's screens, by the link that leads there and the h1 it shows. */
export const updatesScreens: { link: string; heading: string }[] = [
  { link: 'Updates', heading: 'Updates' },
  { link: 'Incidents', heading: 'Incidents' },
  { link: 'Subprocessor changes', heading: 'Subprocessor changes' },
  { link: 'Notices', heading: 'Notices' },
  { link: 'Subscribers', heading: 'Subscribers' },
  { link: 'Notification settings', heading: 'Notification settings' },
];
