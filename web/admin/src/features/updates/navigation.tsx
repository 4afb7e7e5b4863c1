import type { ReactElement } from 'react';
import type { NavGroup } from '../../layout/nav.js';

/** The console's updates, incidents, subprocessor changes and subscribers: navigation and routes. */
export const updatesNavGroup: NavGroup = { heading: 'Updates and notices', items: [] };

export const updatesRoutes: ReactElement[] = [];
