/** The updates and notices section's screens, by the link that leads there and the h1 it shows. */
export const updatesScreens: { link: string; heading: string }[] = [];
