"""What the HTTP edges share (the native API, the dialects, the console): strict request
bodies, and the middleware that turns core errors into an edge's own error shape."""
