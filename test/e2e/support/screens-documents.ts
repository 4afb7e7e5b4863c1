/** The documents and access section's screens, by the link that leads there and the h1 it shows. */
export const documentsScreens: { link: string; heading: string }[] = [
  { link: 'Documents', heading: 'Documents' },
  { link: 'Access requests', heading: 'Access requests' },
  { link: 'Grants', heading: 'Grants' },
  { link: 'NDA and access rules', heading: 'NDA and access rules' },
  { link: 'Mail outbox', heading: 'Mail outbox' },
];
