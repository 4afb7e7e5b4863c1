/** The documents and access section's screens, by the link that leads there and the h1 it shows. */
export const documentsScreens: { link: string; heading: string }[] = [];
