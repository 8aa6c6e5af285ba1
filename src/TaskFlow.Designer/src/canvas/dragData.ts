/** The drag data type a palette item carries to the canvas: the activity type. */
export const paletteMime = 'application/x-taskflow-activity';
