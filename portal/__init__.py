"""The portal service: a stand-in for the provincial portal's APIs (items, applications,
progress, profiles), which the action server calls with a service token."""
